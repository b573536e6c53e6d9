// The records an evacuation leaves: os-migrations, os-instance-actions and the servers changed since
// (docs/nova-and-bmc-facts.md#listing-migrations, docs/nova-and-bmc-facts.md#instance-actions,
// docs/nova-and-bmc-facts.md#servers-changed-since).
import { beforeAll, describe, expect, it } from 'vitest';
import { failAndMarkDown, firstServer, useCloud } from './cloud.ts';
import { expectShapeOf } from './shape.ts';

const cloud = useCloud({ hosts: 3, instancesPerHost: 8 });
const evacuated: { id: string; requestId: string }[] = [];
let before = '';

beforeAll(async () => {
  const c = cloud();
  await failAndMarkDown(c, 'cmp-01');
  before = new Date().toISOString();
  const servers = (
    await c.nova('GET', '/servers/detail?all_tenants=1&host=cmp-01', { microversion: '2.53' })
  ).body as { servers: { id: string }[] };
  for (const { id } of servers.servers.slice(0, 3)) {
    const answer = await c.nova('POST', `/servers/${id}/action`, {
      microversion: '2.53',
      body: { evacuate: {} },
    });
    evacuated.push({ id, requestId: answer.headers.get('x-openstack-request-id') ?? '' });
  }
  await c.until(async () => {
    const list = await c.nova('GET', '/os-migrations?migration_type=evacuation', {
      microversion: '2.59',
    });
    const { migrations } = list.body as { migrations: { status: string }[] };
    return migrations.length === 3 && migrations.every((m) => m.status === 'done')
      ? true
      : undefined;
  }, 'three evacuations to finish');
});

describe('GET /os-migrations', () => {
  it.each([
    ['2.1', 'os-migrations/migrations-get.json'],
    ['2.23', 'os-migrations/v2.23/migrations-get.json'],
    ['2.59', 'os-migrations/v2.59/migrations-get.json'],
    ['2.80', 'os-migrations/v2.80/migrations-get.json'],
  ])('lists evacuations at %s in the shape of the sample', async (microversion, sample) => {
    const answer = await cloud().nova('GET', '/os-migrations', { microversion });
    expect(answer.status).toBe(200);
    // Only in-progress live migrations carry "links"; an evacuation never does.
    expectShapeOf(answer.body, `nova-api-samples/${sample}`, { optionalKeys: ['links'] });
  });

  it('filters by instance, source host and type, and by changes-since from 2.59', async () => {
    const c = cloud();
    const target = evacuated[0]?.id ?? '';
    const one = await c.nova(
      'GET',
      `/os-migrations?migration_type=evacuation&instance_uuid=${target}&source_compute=cmp-01&changes-since=${before}`,
      { microversion: '2.59' },
    );
    expect(
      (one.body as { migrations: { instance_uuid: string }[] }).migrations.map(
        (m) => m.instance_uuid,
      ),
    ).toEqual([target]);
    // Timestamps are wall-clock even at 1000x: "since now" by the client's clock finds nothing old.
    const now = new Date().toISOString();
    const none = await c.nova('GET', `/os-migrations?changes-since=${now}`, {
      microversion: '2.59',
    });
    expect((none.body as { migrations: unknown[] }).migrations).toEqual([]);
  });

  it('pages newest first with limit and marker and links the next page, as the 2.59 sample does', async () => {
    const c = cloud();
    const first = await c.nova('GET', '/os-migrations?limit=2', { microversion: '2.59' });
    expectShapeOf(
      first.body,
      'nova-api-samples/os-migrations/v2.59/migrations-get-with-limit.json',
    );
    const page = first.body as {
      migrations: { id: number; uuid: string }[];
      migrations_links: { href: string }[];
    };
    expect(page.migrations.map((m) => m.id)).toEqual([3, 2]);
    const next = await c.nova(
      'GET',
      `/os-migrations?limit=2&marker=${page.migrations[1]?.uuid ?? ''}`,
      { microversion: '2.59' },
    );
    const rest = next.body as { migrations: { id: number }[]; migrations_links?: unknown };
    expect(rest.migrations.map((m) => m.id)).toEqual([1]);
    expect(rest.migrations_links).toBeUndefined();
  });

  it('rejects unknown query parameters and an unknown marker from 2.59', async () => {
    const c = cloud();
    expect(
      (await c.nova('GET', '/os-migrations?instance=x', { microversion: '2.59' })).status,
    ).toBe(400);
    expect(
      await c.nova('GET', '/os-migrations?marker=nope', { microversion: '2.59' }),
    ).toMatchObject({
      status: 400,
      body: { badRequest: { message: 'Marker nope could not be found.' } },
    });
    expect(
      (await c.nova('GET', '/os-migrations?instance=x', { microversion: '2.58' })).status,
    ).toBe(200);
  });
});

describe('os-instance-actions', () => {
  it('records the evacuate under the x-openstack-request-id of its POST, in the shape of the 2.84 samples', async () => {
    const c = cloud();
    const { id, requestId } = evacuated[0] ?? { id: '', requestId: '' };
    const list = await c.nova('GET', `/servers/${id}/os-instance-actions`, {
      microversion: '2.84',
    });
    expectShapeOf(
      list.body,
      'nova-api-samples/os-instance-actions/v2.84/instance-actions-list-resp.json',
    );
    expect(
      (list.body as { instanceActions: { action: string; request_id: string }[] })
        .instanceActions[0],
    ).toMatchObject({ action: 'evacuate', request_id: requestId });
    const shown = await c.nova('GET', `/servers/${id}/os-instance-actions/${requestId}`, {
      microversion: '2.84',
    });
    expectShapeOf(
      shown.body,
      'nova-api-samples/os-instance-actions/v2.84/instance-action-get-resp.json',
    );
    const [event] = (
      shown.body as {
        instanceAction: { events: { event: string; result: string; host: string }[] };
      }
    ).instanceAction.events;
    expect(event).toMatchObject({ event: 'compute_rebuild_instance', result: 'Success' });
    expect(event?.host).not.toBe('cmp-01');
  });

  it('pages the list with a next link from 2.58, as the sample does', async () => {
    const c = cloud();
    const { id } = evacuated[0] ?? { id: '' };
    const page = await c.nova('GET', `/servers/${id}/os-instance-actions?limit=1`, {
      microversion: '2.84',
    });
    expectShapeOf(
      page.body,
      'nova-api-samples/os-instance-actions/v2.84/instance-actions-list-with-limit-resp.json',
    );
  });

  it('answers 404 for a request id the instance never saw', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-02', 'ACTIVE');
    const answer = await c.nova('GET', `/servers/${victim.id}/os-instance-actions/req-nope`, {
      microversion: '2.84',
    });
    expect(answer).toMatchObject({
      status: 404,
      body: {
        itemNotFound: {
          message: `Action for request_id req-nope on instance ${victim.id} not found`,
        },
      },
    });
  });
});

describe('GET /servers/detail?changes-since', () => {
  // The landing watch reads the landings of many evacuations from this one listing.
  it('lists the servers evacuated since, and none left untouched', async () => {
    const c = cloud();
    const changed = await c.nova(
      'GET',
      `/servers/detail?all_tenants=1&changes-since=${encodeURIComponent(before)}`,
      { microversion: '2.59' },
    );
    expect(changed.status).toBe(200);
    const listed = (changed.body as { servers: { id: string }[] }).servers.map(({ id }) => id);
    expect(listed.sort()).toEqual(evacuated.map(({ id }) => id).sort());
  });

  it('refuses a changes-since that is not a time, as for migrations', async () => {
    const answer = await cloud().nova('GET', '/servers/detail?all_tenants=1&changes-since=soon', {
      microversion: '2.59',
    });
    expect(answer.status).toBe(400);
  });
});
