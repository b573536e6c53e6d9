import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import type { Simulator } from '../../../../simulator/simulator.ts';
import { startSimulator } from '../../../../simulator/simulator.ts';
import type { CommandResult } from '../../simulator/bmc-clients.ts';
import { run } from '../../simulator/bmc-clients.ts';
import { LAZARUS_BIN } from '../../../support/repository.ts';
import {
  simulatedCloudEnv,
  writeSimulatedCloudConfig,
} from '../../../support/simulated-cloud-config.ts';

const lazarus = LAZARUS_BIN;

describe('lazarus preflight against the simulated cloud', () => {
  let sim: Simulator;
  let hosts: string[];
  let ipmiHost: string;
  let env: Record<string, string>;
  let secrets: string[];

  /** BMC entries for `covered` hosts (the first over IPMI), plus `extra` raw YAML. */
  const writeConfig = (covered: readonly string[], extra = ''): Promise<string> =>
    writeSimulatedCloudConfig(sim, covered, {
      ipmiHost,
      extra,
      fileName: `lazarus-${covered.length}-${extra.length}.yaml`,
    });
  const preflight = (args: readonly string[]): Promise<CommandResult> =>
    run(process.execPath, [lazarus, 'preflight', ...args], { env });

  beforeAll(async () => {
    sim = await startSimulator({
      hosts: 4,
      instancesPerHost: 1,
      timeScale: 1000,
      startBmcFleet,
      bmc: { pdu: { outletsPerHost: 1 } },
    });
    hosts = sim.state().hosts.map((host) => host.name);
    ipmiHost = hosts[0] ?? '';
    env = simulatedCloudEnv(sim);
    secrets = [
      sim.credentials.password,
      sim.credentials.applicationCredential.secret,
      ...Object.values(sim.bmcs).map((bmc) => bmc.redfish.password),
      sim.pdu?.endpoint.password ?? '',
    ].filter((secret) => secret !== '');
  });
  afterEach(() => {
    for (const host of hosts) sim.setBmcFaults(host, {});
    sim.setPduFaults({});
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('prints a table of every compute host with its BMC and power, and exits 0 when all is well', async () => {
    const result = await preflight(['--config', await writeConfig(hosts)]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^HOST +NOVA-COMPUTE +BMC +POWER +PROBLEMS$/m);
    for (const host of hosts)
      expect(result.stdout).toMatch(
        new RegExp(`^${host} +enabled, up +(redfish https|ipmi 127\\.0\\.0\\.1):\\S+ +On +-$`, 'm'),
      );
    expect(result.stdout).toContain(
      `ready: ${hosts.length} hosts, every one with a BMC that answered`,
    );
    expect(result.stdout).toMatch(/Nova microversion 2\.95/);
  });

  it('reads the PDU outlets of hosts that have a second fencing level, and names a PDU that does not answer', async () => {
    const config = await writeSimulatedCloudConfig(sim, hosts, {
      ipmiHost,
      isPduIncluded: true,
      fileName: 'lazarus-pdu.yaml',
    });
    const ready = await preflight(['--config', config, '--json']);
    expect(ready.exitCode).toBe(0);
    const report = JSON.parse(ready.stdout) as { hosts: { host: string; pduPower: string }[] };
    expect(report.hosts.map((row) => [row.host, row.pduPower])).toEqual(
      hosts.map((host) => [host, 'On']),
    );

    sim.setPduFaults({ unreachable: true });
    const result = await preflight(['--config', config]);
    expect(result.exitCode).toBe(1);
    for (const host of hosts)
      expect(result.stdout).toMatch(
        new RegExp(`${host}: its PDU level \\(redfish-pdu pdu-sim outlet`),
      );
    for (const secret of secrets) expect(result.stdout).not.toContain(secret);
  });

  it('reports the same as JSON for scripts', async () => {
    const result = await preflight(['--config', await writeConfig(hosts), '--json']);
    const report = JSON.parse(result.stdout) as {
      isReady: boolean;
      hosts: { host: string; power: string; bmc: string }[];
    };
    expect(report.isReady).toBe(true);
    expect(report.hosts.map((row) => [row.host, row.power])).toEqual(
      hosts.map((host) => [host, 'On']),
    );
  });

  it('exits 1 naming the host and the fix for a dead BMC, a host without a BMC entry and an entry for an unknown host', async () => {
    const [, dead, uncovered] = hosts;
    if (dead === undefined || uncovered === undefined)
      throw new Error('the simulator has too few hosts');
    sim.setBmcFaults(dead, { unreachable: true });
    sim.setBmcFaults(ipmiHost, { unreachable: true });
    const config = await writeConfig(
      hosts.filter((host) => host !== uncovered),
      '  - host: cmp-99\n    protocol: ipmi\n    address: 127.0.0.1\n    username: x\n    passwordEnv: UNUSED',
    );
    const result = await preflight(['--config', config]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('4 problems:');
    expect(result.stdout).toContain(
      `${dead}: Redfish BMC at ${sim.bmcs[dead]?.redfish.url ?? ''} did not answer`,
    );
    expect(result.stdout).toContain(
      'check that the BMC is powered and reachable from the Lazarus worker',
    );
    expect(result.stdout).toContain(`${ipmiHost}: IPMI BMC at 127.0.0.1:`);
    expect(result.stdout).toContain(
      `${uncovered} has no BMC entry and no PDU outlet, so Lazarus cannot fence it; add one under bmcs in ${config} (host: ${uncovered}, or a pattern that covers it)`,
    );
    expect(result.stdout).toContain(
      'the BMC inventory names cmp-99, which runs no nova-compute service Nova knows; correct the name',
    );
    expect(result.stdout).toMatch(
      new RegExp(`^${uncovered} +enabled, up +\\(none\\) +\\? +1$`, 'm'),
    );
  });

  it('reports wrong BMC credentials and a broken configuration without printing any secret', async () => {
    const [, , , rejecting] = hosts;
    if (rejecting === undefined) throw new Error('the simulator has too few hosts');
    sim.setBmcFaults(rejecting, { badCredentials: true });
    const result = await preflight(['--config', await writeConfig(hosts)]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`${rejecting}: Redfish BMC at`);
    expect(result.stdout).toContain('rejected the credentials of user "admin"');
    const broken = await preflight([
      '--config',
      await writeConfig(hosts, '  - host: cmp-98\n    password: inline-secret-0b7d'),
    ]);
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout).toContain('bmcs[4].password: inline passwords are not accepted');
    const printed = [result, broken].map((r) => r.stdout + r.stderr).join('\n');
    for (const secret of [...secrets, 'inline-secret-0b7d']) expect(printed).not.toContain(secret);
  });

  it('suspects a BMC that reads Off while its host runs nova-compute, as one that belongs to another machine would', async () => {
    const [, suspect] = hosts;
    if (suspect === undefined) throw new Error('the simulator has too few hosts');
    sim.setBmcFaults(suspect, { misreportPower: 'Off' });
    const result = await preflight(['--config', await writeConfig(hosts)]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `reports power Off while nova-compute on ${suspect} is up: the entry probably points at another machine`,
    );
  });

  it('exits 1 with the fix when the configuration file or the OpenStack cloud cannot be found', async () => {
    const missing = await preflight(['--config', join(sim.cloudsYamlPath, '..', 'absent.yaml')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toMatch(/configuration file .*absent\.yaml does not exist; write one/);
    const path = join(sim.cloudsYamlPath, '..', 'unknown-cloud.yaml');
    await writeFile(path, 'openstack:\n  cloud: no-such-cloud\n');
    const unknown = await preflight(['--config', path]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stdout).toContain('no-such-cloud');
    expect(unknown.stdout).not.toContain('HOST ');
  });
});
