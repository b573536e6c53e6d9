// The world and its BMCs together: a Redfish ForceOff really powers the host off, and BMC faults
// set through the admin API reach the BMC.
import { describe, expect, it } from 'vitest';
import { startBmcFleet } from '../../../simulator/bmc/index.ts';
import type { TestCloud } from './cloud.ts';
import { request, useCloud } from './cloud.ts';

const cloud = useCloud({
  hosts: 2,
  instancesPerHost: 3,
  startBmcFleet,
  bmc: { ipmiHosts: 0, tls: false, powerTransitionMs: 1000 },
});

async function redfish(
  c: TestCloud,
  host: string,
  method: string,
  suffix: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const endpoint = c.sim.bmcs[host]?.redfish;
  if (endpoint === undefined) throw new Error(`no Redfish BMC for ${host}`);
  const basic = Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64');
  return request(method, `${endpoint.url}${endpoint.systemPath}${suffix}`, body, {
    authorization: `Basic ${basic}`,
  });
}

async function powerStateRead(c: TestCloud, host: string): Promise<unknown> {
  return ((await redfish(c, host, 'GET', '')).body as { PowerState: unknown }).PowerState;
}

describe('a simulated cloud with BMCs', () => {
  it('powers a host off through Redfish ForceOff: the ledger says so, its guests stop and Nova sees the service go down', async () => {
    const c = cloud();
    const reset = await redfish(c, 'cmp-01', 'POST', '/Actions/ComputerSystem.Reset', {
      ResetType: 'ForceOff',
    });
    expect(reset.status).toBeLessThan(300);
    await c.until(
      async () => ((await powerStateRead(c, 'cmp-01')) === 'Off' ? true : undefined),
      'Redfish to read Off',
    );
    expect(c.sim.state().hosts.find((h) => h.name === 'cmp-01')).toMatchObject({
      power: 'Off',
      runningGuests: 0,
    });
    expect(c.sim.ledger().filter((e) => e.kind === 'power')).toEqual([
      expect.objectContaining({ host: 'cmp-01', state: 'Off', via: 'redfish' }),
    ]);
    await c.until(async () => {
      const services = await c.nova('GET', '/os-services?host=cmp-01', { microversion: '2.53' });
      return (services.body as { services: { state: string }[] }).services[0]?.state === 'down'
        ? true
        : undefined;
    }, 'Nova to see cmp-01 down');
  });

  it("passes BMC faults from the admin API to the host's BMC: an ignored ForceOff leaves the power On", async () => {
    const c = cloud();
    expect(
      (
        await c.admin('POST', '/_sim/faults', {
          bmc: { host: 'cmp-02', faults: { ignorePowerOff: true } },
        })
      ).status,
    ).toBe(200);
    await redfish(c, 'cmp-02', 'POST', '/Actions/ComputerSystem.Reset', { ResetType: 'ForceOff' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.sim.state().hosts.find((h) => h.name === 'cmp-02')?.power).toBe('On');
    expect(await powerStateRead(c, 'cmp-02')).toBe('On');
  });
});
