// `lazarus drill` against the simulated cloud, real HTTP and real BMCs (Redfish, and ipmitool
// against ipmi_sim for the first host): what an incident would do, and proof from the simulator's
// ledger and request counts that the drill did nothing but read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Instance } from '../../../../activities/openstack/index.ts';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import type { Simulator, SimulatorOptions } from '../../../../simulator/simulator.ts';
import { startSimulator } from '../../../../simulator/simulator.ts';
import type { CommandResult } from '../../simulator/bmc-clients.ts';
import { run } from '../../simulator/bmc-clients.ts';
import { connect } from '../../activities/openstack/cloud.ts';
import { LAZARUS_BIN } from '../../../support/repository.ts';
import {
  simulatedCloudEnv,
  writeSimulatedCloudConfig,
} from '../../../support/simulated-cloud-config.ts';

interface DrillJson {
  scope: string;
  isRecoverable: boolean;
  problems: string[];
  hosts: {
    host: string;
    isRecoverable: boolean;
    reasons: string[];
    power: string | null;
    recoveryMethod: string;
    evacuateCount: number;
    skipCount: number;
    evacuate?: { instanceId: string; status: string; needs: { ramMb: number } }[];
    skip?: { instanceId: string; reason: string }[];
    capacity: { doesSuffice: boolean; method: string; destinations: number; unplaced: string[] };
    rtoEstimate: { seconds: number; basis: string };
  }[];
}

/** What the simulated cloud holds that the drill must leave alone: its ledger, and Nova's non-GET requests. */
function writesOf(sim: Simulator): { ledger: number; novaWrites: string[] } {
  return {
    ledger: sim.ledger().length,
    novaWrites: Object.keys(sim.novaRequestsByKind()).filter((kind) => !kind.startsWith('GET ')),
  };
}

async function drill(
  sim: Simulator,
  args: readonly string[],
  config: string,
): Promise<CommandResult> {
  const before = writesOf(sim);
  const result = await run(process.execPath, [LAZARUS_BIN, 'drill', ...args, '--config', config], {
    env: simulatedCloudEnv(sim),
  });
  // Touching nothing: no ledger entry (evacuate, service update, power command) and no Nova request but GETs.
  expect(writesOf(sim)).toEqual({ ledger: before.ledger, novaWrites: [] });
  return result;
}

/**
 * A simulated cloud with real BMCs (the first `ipmiHosts` also over ipmi_sim), at 1000× time, and a
 * lazarus.yaml with an entry for every host (the first over IPMI when it has one) plus `extra`.
 */
async function startCloud(
  shape: Pick<SimulatorOptions, 'hosts' | 'instancesPerHost' | 'hostCapacity'>,
  ipmiHosts: number,
  extra = '',
): Promise<{ sim: Simulator; hosts: string[]; config: string }> {
  const sim = await startSimulator({
    ...shape,
    timeScale: 1000,
    startBmcFleet,
    bmc: { ipmiHosts },
  });
  const hosts = sim.state().hosts.map((host) => host.name);
  const config = await writeSimulatedCloudConfig(sim, hosts, {
    ipmiHost: hosts[0] ?? '',
    extra,
    fileName: 'lazarus-drill.yaml',
  });
  return { sim, hosts, config };
}

const STATUS_RANK: Readonly<Record<string, number>> = { ACTIVE: 0, SHUTOFF: 1, ERROR: 2 };

describe('lazarus drill against the simulated cloud', () => {
  let sim: Simulator;
  let hosts: string[];
  let config: string;
  let instancesOf: (host: string) => Promise<Instance[]>;

  beforeAll(async () => {
    ({ sim, hosts, config } = await startCloud({ hosts: 4, instancesPerHost: 8 }, 1));
    const { nova, session } = await connect(sim);
    const listed = new Map<string, Instance[]>();
    for (const host of hosts) listed.set(host, await nova.listInstancesOnHost(host));
    await session.close();
    instancesOf = (host) => Promise.resolve(listed.get(host) ?? []);
  });
  afterEach(() => {
    for (const host of hosts) sim.setBmcFaults(host, {});
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('prints what an incident of a host would do, by which method, with capacity and an RTO estimate, and exits 0', async () => {
    const [host = ''] = hosts;
    const result = await drill(sim, [host], config);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`drill of ${host}: a dry run, nothing was changed`);
    expect(result.stdout).toMatch(/^BMC +ipmi 127\.0\.0\.1:\d+ \(power On\)$/m);
    expect(result.stdout).toContain('recovery method  auto (the scheduler places each instance)');
    expect(result.stdout).toMatch(/^would evacuate \d+ instances?/m);
    expect(result.stdout).toMatch(
      /^capacity +suffices: needs \d+ vCPU \/ \d+ MiB \/ \d+ GB; 3 other enabled, up hosts with/m,
    );
    expect(result.stdout).toMatch(/^RTO estimate +about \d+ s, from the bench's figures/m);
    expect(result.stdout).toMatch(new RegExp(`^${host} could be recovered$`, 'm'));
  });

  it("lists every instance once, evacuated in the policy's order or skipped with the policy's reason", async () => {
    for (const host of hosts.slice(0, 2)) {
      const result = await drill(sim, [host, '--json'], config);
      expect(result.exitCode).toBe(0);
      const [drilled] = (JSON.parse(result.stdout) as DrillJson).hosts;
      if (drilled?.evacuate === undefined || drilled.skip === undefined)
        throw new Error('a drill of one host lists its instances');
      const instances = await instancesOf(host);
      const byId = new Map(instances.map((instance) => [instance.id, instance]));
      expect(
        [...drilled.evacuate, ...drilled.skip].map((entry) => entry.instanceId).sort(),
      ).toEqual(instances.map((instance) => instance.id).sort());
      // The default policy: marked by HA_Enabled or an evacuable flavor, root disk on a volume.
      const isProtected = (instance: Instance): boolean =>
        instance.metadata.HA_Enabled === 'True' || instance.flavorExtraSpecs.evacuable === 'true';
      for (const entry of drilled.evacuate) {
        const instance = byId.get(entry.instanceId);
        expect(instance !== undefined && isProtected(instance) && instance.isBootFromVolume).toBe(
          true,
        );
        expect(entry.needs.ramMb).toBe(instance?.flavorSize.ramMb);
      }
      for (const entry of drilled.skip) {
        const instance = byId.get(entry.instanceId);
        if (instance === undefined) throw new Error(`unknown instance ${entry.instanceId}`);
        expect(entry.reason).toMatch(
          isProtected(instance) ? /^image-backed root disk on the failed host/ : /^not protected/,
        );
      }
      const ranks = drilled.evacuate.map((entry) => STATUS_RANK[entry.status] ?? 9);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(drilled.capacity).toMatchObject({
        doesSuffice: true,
        method: 'first-fit-decreasing',
        destinations: 3,
      });
      expect(drilled.recoveryMethod).toBe('auto');
      expect(drilled.rtoEstimate.basis).toContain('bench/results/');
    }
  });

  it('drills the whole cloud as JSON, a verdict per compute host', async () => {
    const result = await drill(sim, ['--all', '--json'], config);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as DrillJson;
    expect(report).toMatchObject({ scope: 'all', isRecoverable: true, problems: [] });
    expect(report.hosts.map((host) => [host.host, host.isRecoverable, host.power])).toEqual(
      hosts.map((host) => [host, true, 'On']),
    );
    for (const host of report.hosts) {
      expect(host.evacuateCount + host.skipCount).toBe((await instancesOf(host.host)).length);
      expect(host.evacuate).toBeUndefined();
    }
  });

  it('names the host that could not be recovered when its BMC does not answer, and exits 1', async () => {
    const [, dead = ''] = hosts;
    sim.setBmcFaults(dead, { unreachable: true });
    const all = await drill(sim, ['--all'], config);
    expect(all.exitCode).toBe(1);
    expect(all.stdout).toMatch(
      new RegExp(`^${dead} +enabled, up +\\? +.*NOT recoverable \\(1 reason\\)$`, 'm'),
    );
    expect(all.stdout).toContain(
      `1 of ${hosts.length} compute hosts could NOT be recovered today:`,
    );
    expect(all.stdout).toContain(
      `    - ${dead}: Redfish BMC at ${sim.bmcs[dead]?.redfish.url ?? ''} did not answer`,
    );
    const one = await drill(sim, [dead], config);
    expect(one.exitCode).toBe(1);
    expect(one.stdout).toContain(`${dead} could NOT be recovered today:`);
  });

  it('says a host Nova does not know could not be recovered', async () => {
    const result = await drill(sim, ['cmp-99'], config);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('Nova runs no nova-compute service on cmp-99');
  });

  it('refuses a host and --all together, or neither, with exit status 2', async () => {
    for (const args of [[], ['cmp-01', '--all'], ['cmp-01', 'cmp-02']]) {
      const result = await drill(sim, args, config);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('usage: lazarus drill <host> | --all');
    }
  });
});

describe('lazarus drill on a cloud whose hosts are full', () => {
  let sim: Simulator;
  let config: string;

  beforeAll(async () => {
    ({ sim, config } = await startCloud(
      // Smaller than the seeded guests: every host is full.
      { hosts: 3, instancesPerHost: 3, hostCapacity: { vcpus: 1, ramMb: 1024, diskGb: 10 } },
      0,
      'incident:\n  protect: all\n  imageBackedOnLocalDisk: evacuate',
    ));
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('reports the capacity short with what is needed and free, and exits 1', async () => {
    const result = await drill(sim, ['cmp-01'], config);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /^capacity +short: needs \d+ vCPU \/ \d+ MiB \/ \d+ GB; 2 other enabled, up hosts with 0 vCPU \/ 0 MiB \/ 0 GB free; 3 instances \(.*\) would find no host/m,
    );
    expect(result.stdout).toContain('cmp-01 could NOT be recovered today:');
    const json = JSON.parse((await drill(sim, ['--all', '--json'], config)).stdout) as DrillJson;
    expect(json.isRecoverable).toBe(false);
    for (const host of json.hosts) {
      expect(host.capacity.doesSuffice).toBe(false);
      expect(host.capacity.unplaced).toHaveLength(3);
      expect(host.reasons.some((reason) => reason.startsWith('capacity short:'))).toBe(true);
    }
  });
});
