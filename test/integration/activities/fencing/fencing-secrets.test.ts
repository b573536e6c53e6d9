import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FenceDriver } from '../../../../activities/fencing/index.ts';
import { fenceHost } from '../../../../activities/fencing/index.ts';
import type { TestFleet } from '../../simulator/bmc-clients.ts';
import { startTestFleet } from '../../simulator/bmc-clients.ts';
import { ipmiDriverFor, redfishDriverFor, TIMING } from './fencing-fixtures.ts';

const HOST = 'cmp-01';

/** Every command line on this machine, for as long as `during` runs; polled every few ms. */
async function commandLinesDuring(during: Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  const progress = { isDone: false };
  const finished = during.then(
    () => {
      progress.isDone = true;
    },
    () => {
      progress.isDone = true;
    },
  );
  while (!progress.isDone) {
    for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
      const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (commandLine !== '') seen.add(commandLine.replaceAll('\0', ' '));
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await finished;
  return [...seen];
}

describe('BMC secrets stay out of command lines, logs and errors', () => {
  let test: TestFleet;

  beforeAll(async () => {
    test = await startTestFleet([{ host: HOST, ipmi: true }], { timeScale: 10_000 });
  });
  afterEach(() => {
    test.fleet.setFaults(HOST, {});
    test.world.states.set(HOST, 'On');
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await test.fleet.stop();
  });

  it('passes the IPMI password to ipmitool through its environment, never its arguments', async () => {
    const ipmi = test.ipmiOf(HOST);
    const record = join(test.directory, 'ipmitool-argv');
    const wrapper = join(test.directory, 'ipmitool-wrapper.sh');
    await writeFile(
      wrapper,
      `#!/bin/sh\nprintf '%s\\n' "$@" >> '${record}'\n[ -n "$IPMI_PASSWORD" ] && echo IPMI_PASSWORD-set >> '${record}'\nexec ipmitool "$@"\n`,
    );
    await chmod(wrapper, 0o755);
    const { driver } = await ipmiDriverFor(ipmi, { ipmitool: wrapper });
    expect(await driver.powerState()).toBe('On');
    const recorded = await readFile(record, 'utf8');
    expect(recorded).toContain('-E\n');
    expect(recorded).toContain('IPMI_PASSWORD-set');
    expect(recorded).not.toContain(ipmi.password);
  });

  it('shows no password in any process command line while ipmitool runs', async () => {
    const ipmi = test.ipmiOf(HOST);
    // Slow answers keep ipmitool alive long enough to be seen in /proc.
    test.fleet.setFaults(HOST, { latencyMs: 1_000_000 });
    const { driver } = await ipmiDriverFor(ipmi);
    const commandLines = await commandLinesDuring(driver.powerState());
    expect(commandLines.some((line) => line.includes('chassis power status'))).toBe(true);
    expect(commandLines.filter((line) => line.includes(ipmi.password))).toEqual([]);
  });

  it('keeps every configured password out of what fencing logs, throws and proves', async () => {
    const ipmi = test.ipmiOf(HOST);
    const redfish = test.endpointsOf(HOST).redfish;
    const wrongPassword = 'wrong-password-7f3a9c';
    const secrets = [ipmi.password, redfish.password, wrongPassword];
    const logged: unknown[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        logged.push(...args);
      });
    }
    const outcomes: unknown[] = [];
    const attempt = async (driver: FenceDriver) => {
      try {
        outcomes.push(await fenceHost(HOST, driver, TIMING));
      } catch (error) {
        outcomes.push(
          inspect(error, { depth: 10 }),
          JSON.stringify(error),
          (error as { details?: unknown }).details,
        );
      } finally {
        await driver.close();
      }
      test.world.states.set(HOST, 'On');
    };
    const drivers = [
      ...(await Promise.all([
        redfishDriverFor(redfish),
        redfishDriverFor(redfish, { password: wrongPassword }),
        redfishDriverFor(redfish, { auth: 'basic', password: wrongPassword }),
        redfishDriverFor(redfish, { trustCa: false }),
        redfishDriverFor(redfish, { trustCa: false, isInsecure: true }),
        ipmiDriverFor(ipmi),
        ipmiDriverFor(ipmi, { password: wrongPassword }),
      ])),
    ];
    for (const { driver, warnings } of drivers) {
      outcomes.push(inspect(driver, { depth: 10 }), JSON.stringify(driver), warnings);
      await attempt(driver);
    }
    for (const faults of [
      { ignorePowerOff: true },
      { badCredentials: true },
      { unreachable: true },
    ]) {
      test.fleet.setFaults(HOST, faults);
      await attempt((await redfishDriverFor(redfish)).driver);
      await attempt((await ipmiDriverFor(ipmi)).driver);
    }
    const captured = inspect([logged, outcomes], { depth: 20 });
    expect(captured).toContain('FencingUnproven');
    expect(captured).toContain('BmcAuthenticationFailed');
    for (const secret of secrets) expect(captured).not.toContain(secret);
  });
});
