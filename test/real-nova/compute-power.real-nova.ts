// The real computes' BMCs: ipmitool against ipmi_sim really cuts and restores a nova-compute
// process, which is what Lazarus's fencing must prove before it evacuates
// (docs/design.md#i1-fence-before-evacuate).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeProcesses as processesOf, ipmitool as ipmitoolOf } from './compute-host.ts';
import { realNovaMaxMicroversion, startRealNova, type RealNova } from './real-nova.ts';

let nova: RealNova;
const ipmitool = (host: string, ...args: string[]): Promise<string> =>
  ipmitoolOf(nova, host, ...args);
const computeProcesses = (host: string): number[] => processesOf(nova, host);

beforeAll(async () => {
  nova = await startRealNova({ computeCount: 2 });
});

afterAll(async () => {
  await nova.stop();
});

async function serviceUpdatedAt(host: string): Promise<number> {
  const response = await fetch(`${nova.novaUrl}/os-services?binary=nova-compute&host=${host}`, {
    headers: {
      'x-auth-token': await nova.adminToken(),
      'openstack-api-version': `compute ${realNovaMaxMicroversion}`,
    },
  });
  const { services } = (await response.json()) as { services: { updated_at: string }[] };
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
    await expect
      .poll(() => serviceUpdatedAt(host), { timeout: 90_000, interval: 1_000 })
      .toBeGreaterThan(poweredOnAt - 1_000);
    expect(nova.powerLog.map(({ host: h, state }) => `${h} ${state}`)).toEqual([
      `${host} Off`,
      `${host} On`,
    ]);
  });
});
