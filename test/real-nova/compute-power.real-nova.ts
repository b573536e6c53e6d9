// The real computes' BMCs: ipmitool against ipmi_sim really cuts and restores a nova-compute
// process, which is what Lazarus's fencing must prove before it evacuates (DESIGN I1).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesWithArguments } from '../support/processes.ts';
import { realNovaMaxMicroversion, startRealNova, type RealNova } from './real-nova.ts';

const run = promisify(execFile);
let nova: RealNova;

beforeAll(async () => {
  nova = await startRealNova({ computeCount: 2 });
});

afterAll(async () => {
  await nova.stop();
});

/** API-FACTS §4: lanplus with cipher 3, password from the environment. */
async function ipmitool(host: string, ...args: string[]): Promise<string> {
  const bmc = nova.bmcs[host];
  if (bmc === undefined) throw new Error(`no BMC for ${host}`);
  const { stdout } = await run('ipmitool', [
    '-I', 'lanplus', '-C', '3', '-N', '1', '-R', '1', '-H', '127.0.0.1', '-p', String(bmc.ipmiPort), '-U', bmc.username, '-E', ...args,
  ], { env: { ...process.env, IPMI_PASSWORD: bmc.password } });
  return stdout.trim();
}

/** The Python process itself, not the guardian that started it with the same arguments. */
function computeProcesses(host: string): number[] {
  return processesWithArguments('--config-file', join(nova.dir, 'etc', `${host}.conf`))
    .filter((pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('python'); } catch { return false; } });
}

async function serviceUpdatedAt(host: string): Promise<number> {
  const response = await fetch(`${nova.novaUrl}/os-services?binary=nova-compute&host=${host}`, {
    headers: { 'x-auth-token': await nova.adminToken(), 'openstack-api-version': `compute ${realNovaMaxMicroversion}` },
  });
  const { services } = await response.json() as { services: { updated_at: string }[] };
  // Nova's timestamps carry no zone; they are UTC.
  return Date.parse(`${services[0]?.updated_at ?? ''}Z`);
}

describe('an IPMI BMC per real compute', () => {
  it('kills the nova-compute on power off, reads back off, and starts a new one on power on', async () => {
    const [host] = nova.computeHosts;
    if (host === undefined) throw new Error('no compute');
    expect(await ipmitool(host, 'chassis', 'power', 'status')).toBe('Chassis Power is on');
    const [before] = computeProcesses(host);
    expect(before).toBeDefined();

    expect(await ipmitool(host, 'chassis', 'power', 'off')).toBe('Chassis Power Control: Down/Off');
    expect(await ipmitool(host, 'chassis', 'power', 'status')).toBe('Chassis Power is off');
    await expect.poll(() => computeProcesses(host), { timeout: 10_000 }).toEqual([]);

    const poweredOnAt = Date.now();
    expect(await ipmitool(host, 'chassis', 'power', 'on')).toBe('Chassis Power Control: Up/On');
    // The guardian that starts it is itself a new process, so the compute appears a moment later.
    await expect.poll(() => computeProcesses(host), { timeout: 10_000 }).toHaveLength(1);
    expect(computeProcesses(host)).not.toContain(before);
    // The new compute reports to Nova, which proves it runs and not merely exists.
    await expect.poll(() => serviceUpdatedAt(host), { timeout: 90_000, interval: 1_000 }).toBeGreaterThan(poweredOnAt - 1_000);
    expect(nova.powerLog.map(({ host: h, state }) => `${h} ${state}`)).toEqual([`${host} Off`, `${host} On`]);
  });
});
