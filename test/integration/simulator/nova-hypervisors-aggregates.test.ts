// os-hypervisors (2.53 and 2.88 shapes) and aggregates add_host (docs/nova-and-bmc-facts.md#other-nova-calls).
import { describe, expect, it } from 'vitest';
import { markDown, useCloud } from './cloud.ts';
import { expectShapeOf, loadSample } from './shape.ts';

const cloud = useCloud({ hosts: 3, instancesPerHost: 2, novaMaxMicroversion: 100 });

describe('GET /os-hypervisors', () => {
  it.each([
    ['', '2.53', 'v2.53/hypervisors-list-resp.json'],
    ['/detail', '2.53', 'v2.53/hypervisors-detail-resp.json'],
    ['/detail', '2.88', 'v2.88/hypervisors-detail-resp.json'],
  ])(
    'lists hypervisors%s at %s in the shape of the sample',
    async (suffix, microversion, sample) => {
      const answer = await cloud().nova('GET', `/os-hypervisors${suffix}?limit=1`, {
        microversion,
      });
      expect(answer.status).toBe(200);
      expectShapeOf(answer.body, `nova-api-samples/os-hypervisors/${sample}`);
    },
  );

  it('finds a host by pattern with its servers, and answers 404 when nothing matches', async () => {
    const c = cloud();
    const found = await c.nova(
      'GET',
      '/os-hypervisors?hypervisor_hostname_pattern=cmp-02&with_servers=true',
      { microversion: '2.53' },
    );
    expectShapeOf(
      found.body,
      'nova-api-samples/os-hypervisors/v2.53/hypervisors-with-servers-resp.json',
    );
    expect(
      (found.body as { hypervisors: { servers: unknown[] }[] }).hypervisors[0]?.servers,
    ).toHaveLength(2);
    const missing = await c.nova('GET', '/os-hypervisors?hypervisor_hostname_pattern=zzz', {
      microversion: '2.53',
    });
    expect(missing).toMatchObject({
      status: 404,
      body: { itemNotFound: { message: "No hypervisor matching 'zzz' could be found." } },
    });
  });

  it('shows one hypervisor in the shape of the sample, down and disabled once its service is', async () => {
    const c = cloud();
    c.sim.failHost('cmp-03', 'power-loss');
    await markDown(c, 'cmp-03');
    const list = await c.nova('GET', '/os-hypervisors?hypervisor_hostname_pattern=cmp-03', {
      microversion: '2.53',
    });
    const id = (list.body as { hypervisors: { id: string }[] }).hypervisors[0]?.id ?? '';
    const shown = await c.nova('GET', `/os-hypervisors/${id}?with_servers=true`, {
      microversion: '2.53',
    });
    expectShapeOf(
      shown.body,
      'nova-api-samples/os-hypervisors/v2.53/hypervisors-show-with-servers-resp.json',
    );
    expect(shown.body).toMatchObject({ hypervisor: { state: 'down', status: 'disabled' } });
  });
});

describe('aggregates', () => {
  it('adds a host to an aggregate, then answers 409 for the same host and 404 for an unknown one', async () => {
    const c = cloud();
    // The official request, pointed at one of the simulator's hosts.
    const sample = loadSample(
      'nova-api-samples/os-aggregates/aggregate-add-host-post-req.json',
    ) as { add_host: { host: string } };
    const addHost = (host: string): ReturnType<typeof c.nova> =>
      c.nova('POST', '/os-aggregates/1/action', {
        microversion: '2.53',
        body: { add_host: { ...sample.add_host, host } },
      });
    const added = await addHost('cmp-01');
    expect(added).toMatchObject({ status: 200, body: { aggregate: { id: 1, hosts: ['cmp-01'] } } });
    expect(await addHost('cmp-01')).toMatchObject({
      status: 409,
      body: { conflictingRequest: { message: 'Aggregate 1 already has host cmp-01.' } },
    });
    expect((await addHost('nowhere')).status).toBe(404);
  });
});
