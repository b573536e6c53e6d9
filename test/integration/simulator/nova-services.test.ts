// GET/PUT /os-services in all three forms, and how "down" comes about
// (docs/nova-and-bmc-facts.md#compute-services).
import { describe, expect, it } from 'vitest';
import type { TestCloud } from './cloud.ts';
import { markDown, serviceUuid, useCloud } from './cloud.ts';
import { expectShapeOf } from './shape.ts';

// 100× real time: a crashed compute still looks up for 600 ms of real time, long enough for a
// request to reach it, while the 60 s RPC timeout costs only 0.6 s.
const cloud = useCloud({ hosts: 6, instancesPerHost: 2, timeScale: 100 });

function put(
  c: TestCloud,
  id: string,
  body: unknown,
  microversion = '2.53',
): ReturnType<TestCloud['nova']> {
  return c.nova('PUT', `/os-services/${id}`, { microversion, body });
}

function stateOf(c: TestCloud, host: string): string | undefined {
  return c.sim.state().hosts.find((h) => h.name === host)?.service.state;
}

describe('GET /os-services', () => {
  it.each([
    ['2.1', 'os-services/services-list-get-resp.json'],
    ['2.11', 'os-services/v2.11/services-list-get-resp.json'],
    ['2.53', 'os-services/v2.53/services-list-get-resp.json'],
  ])('lists services in the shape of the %s sample', async (microversion, sample) => {
    const answer = await cloud().nova('GET', '/os-services', { microversion });
    expect(answer.status).toBe(200);
    expectShapeOf(answer.body, `nova-api-samples/${sample}`);
  });

  it('filters by host and binary, and rejects unknown query parameters from 2.75', async () => {
    const c = cloud();
    const filtered = await c.nova('GET', '/os-services?binary=nova-compute&host=cmp-02', {
      microversion: '2.53',
    });
    expect((filtered.body as { services: { host: string }[] }).services.map((s) => s.host)).toEqual(
      ['cmp-02'],
    );
    const strict = await c.nova('GET', '/os-services?hots=cmp-02', { microversion: '2.75' });
    expect(strict.status).toBe(400);
  });

  it('reports a crashed compute down only once service_down_time has passed since its last heartbeat', async () => {
    const c = cloud();
    const crashedAt = c.sim.now();
    c.sim.failHost('cmp-06', 'compute-crash');
    expect(stateOf(c, 'cmp-06')).toBe('up');
    await c.until(
      () => Promise.resolve(stateOf(c, 'cmp-06') === 'down' ? true : undefined),
      'cmp-06 to go down',
    );
    // The last heartbeat came at most report_interval (10 s) before the crash.
    expect(c.sim.now() - crashedAt).toBeGreaterThan(50_000);
  });
});

describe('PUT /os-services/{uuid} (2.53+)', () => {
  it('disables and forces down in one request, without waiting, in the shape of the sample', async () => {
    const c = cloud();
    c.sim.failHost('cmp-01', 'power-loss');
    const started = c.sim.now();
    const answer = await markDown(c, 'cmp-01');
    expect(c.sim.now() - started).toBeLessThan(60_000);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      service: {
        state: 'down',
        status: 'disabled',
        forced_down: true,
        disabled_reason: 'test: fenced',
      },
    });
    expectShapeOf(
      answer.body,
      'nova-api-samples/os-services/v2.53/service-force-down-put-resp.json',
    );
    expect(c.sim.ledger().at(-1)).toMatchObject({
      kind: 'service-update',
      host: 'cmp-01',
      forcedDown: true,
      status: 'disabled',
      power: 'Off',
    });
  });

  it('blocks a PUT that disables a still-"up" dead compute without forced_down for the RPC timeout', async () => {
    const c = cloud();
    c.sim.failHost('cmp-02', 'compute-crash');
    const started = c.sim.now();
    const answer = await put(c, serviceUuid(c, 'cmp-02'), {
      status: 'disabled',
      disabled_reason: 'maintenance',
    });
    expect(c.sim.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(answer.status).toBe(200);
    expectShapeOf(
      answer.body,
      'nova-api-samples/os-services/v2.53/service-disable-log-put-resp.json',
    );
  });

  it.each([
    ['not-a-uuid', {}, 400, 'Invalid uuid not-a-uuid'],
    [
      '00000000-0000-4000-8000-000000000000',
      { status: 'disabled' },
      404,
      'Service 00000000-0000-4000-8000-000000000000 could not be found.',
    ],
  ])('answers %s with %i', async (id, body, status, message) => {
    const answer = await put(cloud(), id, body);
    expect(answer.status).toBe(status);
    expect(Object.values(answer.body as object)[0]).toEqual({ code: status, message });
  });

  it.each([
    [
      { status: 'enabled', disabled_reason: 'x' },
      "Specifying 'disabled_reason' with status 'enabled' is invalid.",
    ],
    [
      { disabled_reason: 'x' },
      "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
    ],
  ])('rejects %j with 400', async (body, message) => {
    const c = cloud();
    const answer = await put(c, serviceUuid(c, 'cmp-03'), body);
    expect(answer).toMatchObject({ status: 400, body: { badRequest: { code: 400, message } } });
  });

  it('refuses to update a nova-scheduler service', async () => {
    const c = cloud();
    const list = await c.nova('GET', '/os-services?binary=nova-scheduler', {
      microversion: '2.53',
    });
    const [scheduler] = (list.body as { services: { id: string }[] }).services;
    const answer = await put(c, scheduler?.id ?? '', { status: 'disabled' });
    expect(answer.body).toEqual({
      badRequest: {
        code: 400,
        message:
          'Updating a nova-scheduler service is not supported. Only nova-compute services can be updated.',
      },
    });
  });
});

describe('legacy PUT /os-services/{action} (before 2.53)', () => {
  it('forces down with the 2.11 form and answers as the sample does', async () => {
    const c = cloud();
    const answer = await put(
      c,
      'force-down',
      { host: 'cmp-04', binary: 'nova-compute', forced_down: true },
      '2.11',
    );
    expect(answer).toMatchObject({
      status: 200,
      body: { service: { host: 'cmp-04', binary: 'nova-compute', forced_down: true } },
    });
    expectShapeOf(
      answer.body,
      'nova-api-samples/os-services/v2.11/service-force-down-put-resp.json',
    );
  });

  it('disables with a reason and answers as the sample does', async () => {
    const c = cloud();
    const answer = await put(
      c,
      'disable-log-reason',
      { host: 'cmp-05', binary: 'nova-compute', disabled_reason: 'test2' },
      '2.11',
    );
    expect(answer.status).toBe(200);
    expectShapeOf(
      answer.body,
      'nova-api-samples/os-services/v2.11/service-disable-log-put-resp.json',
    );
  });

  it.each([
    [
      'force-down',
      '2.10',
      { host: 'cmp-05', binary: 'nova-compute', forced_down: true },
      404,
      'Unknown action',
    ],
    [
      'force-down',
      '2.11',
      { host: 'cmp-05', binary: 'nova-compute' },
      400,
      'Missing forced_down field',
    ],
    [
      'disable-log-reason',
      '2.11',
      { host: 'cmp-05', binary: 'nova-compute' },
      400,
      'Missing disabled reason field',
    ],
    [
      'disable',
      '2.11',
      { host: 'nowhere', binary: 'nova-compute' },
      404,
      'Could not find binary nova-compute on host nowhere.',
    ],
  ])(
    'answers %s at %s with %i when Nova would',
    async (action, microversion, body, status, message) => {
      const answer = await put(cloud(), action, body, microversion);
      expect(answer.status).toBe(status);
      expect(Object.values(answer.body as object)[0]).toEqual({ code: status, message });
    },
  );
});
