// Faults injected through the admin API, and the admin API itself.
import { describe, expect, it } from 'vitest';
import type { TestCloud } from './cloud.ts';
import { passwordAuth, serverOnFailedHost, useCloud } from './cloud.ts';

const cloud = useCloud({ hosts: 4, instancesPerHost: 6 });

function evacuateFault(c: TestCloud, fault: unknown): ReturnType<TestCloud['admin']> {
  return c.admin('POST', '/_sim/faults', {
    service: 'nova',
    endpoint: 'POST /servers/{id}/action',
    action: 'evacuate',
    fault,
    times: 1,
  });
}

async function evacuateRaw(c: TestCloud, id: string): Promise<number | 'connection lost'> {
  try {
    return (
      await c.nova('POST', `/servers/${id}/action`, {
        microversion: '2.53',
        body: { evacuate: {} },
      })
    ).status;
  } catch {
    return 'connection lost';
  }
}

const evacuationsOf = (c: TestCloud, id: string): number =>
  c.sim.ledger().filter((e) => e.kind === 'evacuate' && e.instance === id).length;

describe('API faults', () => {
  it("answers an injected error status in Nova's format without acting, once", async () => {
    const c = cloud();
    const victim = await serverOnFailedHost(c, 'cmp-01');
    expect((await evacuateFault(c, { kind: 'status', status: 503 })).status).toBe(200);
    const failed = await c.nova('POST', `/servers/${victim.id}/action`, {
      microversion: '2.53',
      body: { evacuate: {} },
    });
    expect(failed).toMatchObject({ status: 503, body: { serviceUnavailable: { code: 503 } } });
    expect(evacuationsOf(c, victim.id)).toBe(0);
    expect(await evacuateRaw(c, victim.id)).toBe(200);
  });

  it('resets the connection before acting', async () => {
    const c = cloud();
    const victim = await serverOnFailedHost(c, 'cmp-02');
    await evacuateFault(c, { kind: 'reset' });
    expect(await evacuateRaw(c, victim.id)).toBe('connection lost');
    expect(evacuationsOf(c, victim.id)).toBe(0);
  });

  it('processes the request but loses the response: the client sees a dropped connection, Nova has the evacuation', async () => {
    const c = cloud();
    const victim = await serverOnFailedHost(c, 'cmp-03');
    await evacuateFault(c, { kind: 'lost-response' });
    expect(await evacuateRaw(c, victim.id)).toBe('connection lost');
    expect(evacuationsOf(c, victim.id)).toBe(1);
    const migrations = await c.nova('GET', `/os-migrations?instance_uuid=${victim.id}`, {
      microversion: '2.59',
    });
    expect((migrations.body as { migrations: unknown[] }).migrations).toHaveLength(1);
  });

  it('delays responses by simulated latency', async () => {
    const c = cloud();
    await c.admin('POST', '/_sim/faults', {
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'latency', ms: 30_000 },
      times: 1,
    });
    const started = c.sim.now();
    expect((await c.nova('GET', '/os-services')).status).toBe(200);
    expect(c.sim.now() - started).toBeGreaterThanOrEqual(30_000);
  });

  it("fails Keystone too, in Keystone's error format, until the faults are cleared", async () => {
    const c = cloud();
    await c.admin('POST', '/_sim/faults', {
      service: 'keystone',
      endpoint: 'POST /v3/auth/tokens',
      fault: { kind: 'status', status: 503 },
    });
    expect(await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim))).toMatchObject({
      status: 503,
      body: { error: { code: 503 } },
    });
    expect((await c.admin('DELETE', '/_sim/faults')).body).toEqual({ faults: [] });
    expect((await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim))).status).toBe(201);
  });
});

describe('admin API', () => {
  it('fails a host by partition: the service goes down while its guests keep running, and restart-compute brings it back', async () => {
    const c = cloud();
    const failed = await c.admin('POST', '/_sim/hosts/cmp-04/fail', { mode: 'partition' });
    expect(failed.status).toBe(200);
    await c.until(
      () =>
        Promise.resolve(
          c.sim.state().hosts.find((h) => h.name === 'cmp-04')?.service.state === 'down'
            ? true
            : undefined,
        ),
      'cmp-04 down',
    );
    const host = c.sim.state().hosts.find((h) => h.name === 'cmp-04');
    expect(host).toMatchObject({ power: 'On', failure: 'partition' });
    expect(host?.runningGuests).toBeGreaterThan(0);
    expect((await c.admin('POST', '/_sim/hosts/cmp-04/restart-compute')).status).toBe(200);
    expect(c.sim.state().hosts.find((h) => h.name === 'cmp-04')).toMatchObject({
      failure: null,
      service: { state: 'up' },
    });
  });

  it('refuses to restart nova-compute on a powered-off host, and explains itself', async () => {
    const c = cloud();
    await c.admin('POST', '/_sim/hosts/cmp-01/power', { state: 'Off' });
    const answer = await c.admin('POST', '/_sim/hosts/cmp-01/restart-compute');
    expect(answer.status).toBe(409);
    expect((answer.body as { error: string }).error).toMatch(/powered off/);
  });

  it.each([
    ['POST', '/_sim/hosts/cmp-01/fail', { mode: 'meteor' }, 400],
    ['POST', '/_sim/hosts/nowhere/fail', { mode: 'power-loss' }, 404],
    ['POST', '/_sim/faults', { bmc: { host: 'cmp-01', faults: { unreachable: true } } }, 409],
    ['GET', '/_sim/nothing', undefined, 404],
  ])(
    'answers %s %s with %i when it cannot do what was asked',
    async (method, path, body, status) => {
      const answer = await cloud().admin(method, path, body);
      expect(answer.status).toBe(status);
      expect(answer.body).toHaveProperty('error');
    },
  );
});
