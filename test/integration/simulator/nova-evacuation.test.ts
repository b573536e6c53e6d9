// Evacuation as real Nova does it, sharp edges included
// (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate,
// docs/nova-and-bmc-facts.md#evacuate-by-microversion,
// docs/nova-and-bmc-facts.md#evacuation-lifecycle).
import { describe, expect, it } from 'vitest';
import type { TestCloud } from './cloud.ts';
import {
  evacuations,
  failAndMarkDown,
  firstServer,
  markDown,
  server,
  serverOnFailedHost,
  serversOn,
  serviceUuid,
  useCloud,
} from './cloud.ts';
import { loadSample } from './shape.ts';

// Ten times real time with half-second (real) steps: slow enough to watch each migration status.
const cloud = useCloud({
  hosts: 6,
  instancesPerHost: 10,
  timeScale: 10,
  timing: { schedulingMs: 5_000, rebuildMs: 5_000 },
});

async function evacuate(
  c: TestCloud,
  id: string,
  microversion: string,
  body: Record<string, unknown> = {},
): Promise<{ status: number; body: unknown; requestId: string | null }> {
  const answer = await c.nova('POST', `/servers/${id}/action`, {
    microversion,
    body: { evacuate: body },
  });
  return {
    status: answer.status,
    body: answer.body,
    requestId: answer.headers.get('x-openstack-request-id'),
  };
}

async function twoActiveServers(c: TestCloud, host: string): Promise<[string, string]> {
  const [first, second] = (await serversOn(c, host))
    .filter((s) => s.status === 'ACTIVE')
    .map((s) => s.id);
  if (first === undefined || second === undefined)
    throw new Error(`${host} has fewer than two ACTIVE servers`);
  return [first, second];
}

async function migrationStatus(c: TestCloud, instance: string, status: string): Promise<void> {
  await c.until(
    async () =>
      (await evacuations(c, instance)).some((m) => m.status === status) ? true : undefined,
    `a ${status} migration of ${instance}`,
  );
}

describe('evacuate', () => {
  it('refuses with 400 "Compute service of H is still in use." while the source compute is up', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    const answer = await evacuate(c, victim.id, '2.53');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      badRequest: { code: 400, message: 'Compute service of cmp-01 is still in use.' },
    });
    expect(c.sim.ledger().filter((e) => e.kind === 'evacuate')).toEqual([]);
  });

  it('sets task_state rebuilding, runs the migration accepted → pre-migrating → done and switches the host only at the end', async () => {
    const c = cloud();
    const victim = await serverOnFailedHost(c, 'cmp-02');
    const answer = await evacuate(c, victim.id, '2.53');
    expect(answer).toMatchObject({ status: 200, body: undefined });
    const during = await server(c, victim.id);
    expect(during).toMatchObject({
      status: 'REBUILD',
      'OS-EXT-STS:task_state': 'rebuilding',
      'OS-EXT-SRV-ATTR:host': 'cmp-02',
    });
    expect((await evacuations(c, victim.id)).map((m) => m.status)).toEqual(['accepted']);
    await migrationStatus(c, victim.id, 'pre-migrating');
    expect((await server(c, victim.id))['OS-EXT-SRV-ATTR:host']).toBe('cmp-02');
    await migrationStatus(c, victim.id, 'done');
    const landed = await server(c, victim.id);
    expect(landed).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    expect(landed['OS-EXT-SRV-ATTR:host']).not.toBe('cmp-02');
    const [migration] = await evacuations(c, victim.id);
    expect(migration).toMatchObject({
      source_compute: 'cmp-02',
      dest_compute: landed['OS-EXT-SRV-ATTR:host'],
    });
  });

  it('moves `done` evacuations to `completed` only when the source compute starts again, and blocks forced_down:false until then', async () => {
    const c = cloud();
    const victim = await serverOnFailedHost(c, 'cmp-03');
    expect((await evacuate(c, victim.id, '2.53')).status).toBe(200);
    await migrationStatus(c, victim.id, 'done');
    const unforce = (): Promise<{ status: number; body: unknown }> =>
      c.nova('PUT', `/os-services/${serviceUuid(c, 'cmp-03')}`, {
        microversion: '2.53',
        body: { forced_down: false },
      });
    expect(await unforce()).toMatchObject({
      status: 400,
      body: {
        badRequest: {
          code: 400,
          message:
            'Unable to force up host cmp-03 as `done` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to `completed` before retrying this request.',
        },
      },
    });
    c.sim.setPower('cmp-03', 'On');
    expect((await evacuations(c, victim.id)).map((m) => m.status)).toEqual(['completed']);
    expect(await unforce()).toMatchObject({
      status: 200,
      body: { service: { forced_down: false } },
    });
  });

  it('accepts a second evacuate while the first is in flight and leaves the instance in ERROR', async () => {
    const c = cloud();
    const victim = await serverOnFailedHost(c, 'cmp-04');
    const [first, second] = [
      await evacuate(c, victim.id, '2.53'),
      await evacuate(c, victim.id, '2.53'),
    ];
    expect([first.status, second.status]).toEqual([200, 200]);
    await migrationStatus(c, victim.id, 'done');
    const damaged = await server(c, victim.id);
    expect(damaged).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
    expect(damaged.fault?.message).toMatch(/already exists/);
    expect((await evacuations(c, victim.id)).map((m) => m.status).sort()).toEqual([
      'accepted',
      'done',
    ]);
    expect(c.sim.invariants().violations).toContainEqual(
      expect.objectContaining({ invariant: 'I2' }),
    );
  });

  it('stops the server on the destination from 2.95, but rebuilds an ERROR server to ACTIVE', async () => {
    const c = cloud();
    const [active, errored] = await twoActiveServers(c, 'cmp-05');
    await c.nova('POST', `/servers/${errored}/action`, {
      microversion: '2.95',
      body: { 'os-resetState': { state: 'error' } },
    });
    await failAndMarkDown(c, 'cmp-05');
    expect((await evacuate(c, active, '2.95')).status).toBe(200);
    expect((await evacuate(c, errored, '2.95')).status).toBe(200);
    await migrationStatus(c, active, 'done');
    await migrationStatus(c, errored, 'done');
    expect(await server(c, active)).toMatchObject({
      status: 'SHUTOFF',
      'OS-EXT-STS:vm_state': 'stopped',
    });
    expect(await server(c, errored)).toMatchObject({
      status: 'ACTIVE',
      'OS-EXT-STS:vm_state': 'active',
    });
  });

  it('keeps the power state before 2.95: a SHUTOFF server stays SHUTOFF and an ACTIVE one ACTIVE', async () => {
    const c = cloud();
    const [active, stopped] = await twoActiveServers(c, 'cmp-06');
    expect(
      (
        await c.nova('POST', `/servers/${stopped}/action`, {
          microversion: '2.93',
          body: { 'os-stop': null },
        })
      ).status,
    ).toBe(202);
    await c.until(
      async () => ((await server(c, stopped)).status === 'SHUTOFF' ? true : undefined),
      'the server to stop',
    );
    await failAndMarkDown(c, 'cmp-06');
    expect((await evacuate(c, active, '2.93')).status).toBe(200);
    expect((await evacuate(c, stopped, '2.93')).status).toBe(200);
    await migrationStatus(c, active, 'done');
    await migrationStatus(c, stopped, 'done');
    expect((await server(c, active)).status).toBe('ACTIVE');
    expect((await server(c, stopped)).status).toBe('SHUTOFF');
  });
});

describe('evacuate requests that Nova rejects', () => {
  const rejected = useCloud({ hosts: 3, instancesPerHost: 10 });

  it.each([
    [
      '2.1',
      {},
      "Invalid input for field/attribute evacuate. Value: {}. 'onSharedStorage' is a required property",
    ],
    [
      '2.1',
      { onSharedStorage: true, adminPass: 'x' },
      "admin password can't be changed on existing disk",
    ],
    ['2.29', { force: true }, "Can't force to a non-provided destination"],
    [
      '2.68',
      { host: 'cmp-02', force: true },
      "Invalid input for field/attribute evacuate. Value: {'host': 'cmp-02', 'force': True}. Additional properties are not allowed ('force' was unexpected)",
    ],
    ['2.53', { host: 'cmp-01' }, "The target host can't be the same one."],
  ])('answers 400 at %s to %j', async (microversion, body, message) => {
    const c = rejected();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    const answer = await evacuate(c, victim.id, microversion, body);
    expect(answer).toMatchObject({ status: 400, body: { badRequest: { code: 400, message } } });
  });

  it('answers 404 "Compute host X not found." for an unknown target', async () => {
    const c = rejected();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    const answer = await evacuate(c, victim.id, '2.53', { host: 'nowhere' });
    expect(answer).toMatchObject({
      status: 404,
      body: { itemNotFound: { code: 404, message: 'Compute host nowhere not found.' } },
    });
  });

  it('answers adminPass before 2.14 and an empty body after', async () => {
    const c = rejected();
    const victim = await serverOnFailedHost(c, 'cmp-03');
    const answer = await evacuate(c, victim.id, '2.1', {
      onSharedStorage: 'False',
      adminPass: 'MySecretPass',
    });
    expect(answer).toMatchObject({ status: 200, body: { adminPass: 'MySecretPass' } });
  });

  it('fails the migration with `error` and the server with ERROR when no host can take it', async () => {
    const c = rejected();
    await failAndMarkDown(c, 'cmp-02');
    await markDown(c, 'cmp-01');
    await markDown(c, 'cmp-03');
    const victim = await firstServer(c, 'cmp-02', 'ACTIVE');
    expect((await evacuate(c, victim.id, '2.53')).status).toBe(200);
    await migrationStatus(c, victim.id, 'error');
    expect(await server(c, victim.id)).toMatchObject({
      status: 'ERROR',
      'OS-EXT-SRV-ATTR:host': 'cmp-02',
    });
  });
});

describe('the official evacuate request samples', () => {
  const samples = useCloud({ hosts: 3, instancesPerHost: 12 });
  const cases = [
    ['2.1', 'server-evacuate-req.json'],
    ['2.1', 'server-evacuate-find-host-req.json'],
    ['2.14', 'v2.14/server-evacuate-req.json'],
    ['2.14', 'v2.14/server-evacuate-find-host-req.json'],
    ['2.29', 'v2.29/server-evacuate-req.json'],
    ['2.29', 'v2.29/server-evacuate-find-host-req.json'],
    ['2.68', 'v2.68/server-evacuate-req.json'],
    ['2.68', 'v2.68/server-evacuate-find-host-req.json'],
    ['2.95', 'v2.95/server-evacuate-req.json'],
    ['2.95', 'v2.95/server-evacuate-find-host-req.json'],
  ] as const;

  it('accepts each at its microversion, with the sample host pointed at a real one', async () => {
    const c = samples();
    await failAndMarkDown(c, 'cmp-03');
    const victims = await serversOn(c, 'cmp-03');
    const statuses = [];
    for (const [i, [microversion, file]] of cases.entries()) {
      const body = loadSample(`nova-api-samples/os-evacuate/${file}`) as {
        evacuate: Record<string, unknown>;
      };
      const args = 'host' in body.evacuate ? { ...body.evacuate, host: 'cmp-01' } : body.evacuate;
      statuses.push((await evacuate(c, victims[i]?.id ?? '', microversion, args)).status);
    }
    expect(statuses).toEqual(cases.map(() => 200));
  });
});
