// Nova's responses against the official samples, and the protocol around them: microversions,
// headers, error bodies, authentication (docs/nova-and-bmc-facts.md#nova-microversions-and-errors,
// docs/nova-and-bmc-facts.md#servers-on-a-host, docs/nova-and-bmc-facts.md#evacuation-lifecycle,
// docs/nova-and-bmc-facts.md#other-nova-calls).
import { describe, expect, it } from 'vitest';
import { failAndMarkDown, firstServer, request, useCloud } from './cloud.ts';
import { expectShapeOf } from './shape.ts';

const cloud = useCloud({ hosts: 3, instancesPerHost: 8 });

/** Fields an admin sees that the (non-admin) samples leave out. */
const adminServerFields = [
  'OS-EXT-SRV-ATTR:host',
  'OS-EXT-SRV-ATTR:hypervisor_hostname',
  'OS-EXT-SRV-ATTR:instance_name',
  'OS-EXT-SRV-ATTR:reservation_id',
  'OS-EXT-SRV-ATTR:launch_index',
  'OS-EXT-SRV-ATTR:kernel_id',
  'OS-EXT-SRV-ATTR:ramdisk_id',
  'OS-EXT-SRV-ATTR:root_device_name',
  'OS-EXT-SRV-ATTR:user_data',
  'host_status',
];
const serverShape = {
  extraKeys: adminServerFields,
  dataMaps: ['metadata', 'addresses', 'extra_specs', 'properties', 'scheduler_hints'],
};

describe('version discovery and microversions', () => {
  it('answers GET / and GET /v2.1/ without a token, in the shape of the samples', async () => {
    const c = cloud();
    const origin = new URL(c.sim.novaUrl).origin;
    expectShapeOf(
      (await request('GET', `${origin}/`)).body,
      'nova-api-samples/versions/versions-get-resp.json',
    );
    const v21 = await request('GET', `${origin}/v2.1/`);
    expectShapeOf(v21.body, 'nova-api-samples/versions/v21-version-get-resp.json');
    expect(v21.body).toMatchObject({ version: { version: '2.95', min_version: '2.1' } });
  });

  it('echoes the negotiated microversion in both headers, with Vary and the request ids', async () => {
    const answer = await cloud().nova('GET', '/os-services', { microversion: 'latest' });
    expect(answer.headers.get('openstack-api-version')).toBe('compute 2.95');
    expect(answer.headers.get('x-openstack-nova-api-version')).toBe('2.95');
    expect(answer.headers.get('vary')).toBe('OpenStack-API-Version, X-OpenStack-Nova-API-Version');
    expect(answer.headers.get('x-compute-request-id')).toBe(
      answer.headers.get('x-openstack-request-id'),
    );
    expect(answer.headers.get('x-openstack-request-id')).toMatch(/^req-[0-9a-f-]{36}$/);
  });

  it('uses 2.1 without a header and accepts the legacy X-OpenStack-Nova-API-Version', async () => {
    const c = cloud();
    expect((await c.nova('GET', '/os-services')).headers.get('x-openstack-nova-api-version')).toBe(
      '2.1',
    );
    const legacy = await c.nova('GET', '/os-services', {
      headers: { 'x-openstack-nova-api-version': '2.60' },
    });
    expect(legacy.headers.get('openstack-api-version')).toBe('compute 2.60');
  });

  it('answers 406 outside the range and 400 for a malformed version', async () => {
    const c = cloud();
    expect(await c.nova('GET', '/os-services', { microversion: '2.96' })).toMatchObject({
      status: 406,
      body: {
        computeFault: {
          code: 406,
          message: 'Version 2.96 is not supported by the API. Minimum is 2.1 and maximum is 2.95.',
        },
      },
    });
    expect(await c.nova('GET', '/os-services', { microversion: '2.x' })).toMatchObject({
      status: 400,
      body: {
        badRequest: {
          code: 400,
          message:
            'API Version String 2.x is of invalid format. Must be of format MajorNum.MinorNum.',
        },
      },
    });
  });

  describe('with the maximum set to 2.93, as on Zed', () => {
    const zed = useCloud({ hosts: 1, instancesPerHost: 1, novaMaxMicroversion: 93 });

    it('refuses 2.95 with 406 and reports 2.93 as the maximum', async () => {
      expect(await zed().nova('GET', '/os-services', { microversion: '2.95' })).toMatchObject({
        status: 406,
        body: {
          computeFault: {
            message:
              'Version 2.95 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
          },
        },
      });
    });
  });
});

describe('authentication and errors', () => {
  it('answers 401 in keystonemiddleware format, naming Keystone, for a missing or unknown token', async () => {
    const c = cloud();
    const answer = await c.nova('GET', '/os-services', { token: 'bogus' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: {
        code: 401,
        title: 'Unauthorized',
        message: 'The request you have made requires authentication.',
      },
    });
    expect(answer.headers.get('www-authenticate')).toBe(`Keystone uri="${c.sim.keystoneUrl}"`);
  });

  it('answers 404 itemNotFound for an unknown server', async () => {
    const answer = await cloud().nova('GET', '/servers/00000000-0000-4000-8000-000000000000', {
      microversion: '2.53',
    });
    expect(answer).toMatchObject({
      status: 404,
      body: {
        itemNotFound: {
          code: 404,
          message: 'Instance 00000000-0000-4000-8000-000000000000 could not be found.',
        },
      },
    });
  });

  it('accepts URLs that carry the project id, as older catalogs have them', async () => {
    const c = cloud();
    const project = (
      await c.keystone('GET', '/v3/auth/tokens', undefined, {
        'x-auth-token': c.token,
        'x-subject-token': c.token,
      })
    ).body as { token: { project: { id: string } } };
    const answer = await request(
      'GET',
      `${c.sim.novaUrl}/${project.token.project.id}/os-services`,
      undefined,
      { 'x-auth-token': c.token },
    );
    expect(answer.status).toBe(200);
  });
});

describe('servers', () => {
  describe('with every microversion up to 2.100 offered', () => {
    const newest = useCloud({ hosts: 1, instancesPerHost: 6, novaMaxMicroversion: 100 });

    it.each(['2.90', '2.94', '2.96', '2.98', '2.100'])(
      'shows a server and lists details in the shape of the %s samples',
      async (microversion) => {
        const c = newest();
        // A full page (limit = every server) carries servers_links, as the sample does.
        const list = await c.nova('GET', '/servers/detail?all_tenants=1&limit=6', { microversion });
        const body = list.body as {
          servers: { id: string; image: unknown }[];
          servers_links: unknown;
        };
        // The samples show an image-backed server; a boot-from-volume one has "image": "".
        const imageBacked = body.servers.find((s) => s.image !== '');
        if (imageBacked === undefined) throw new Error('the seed gave no image-backed server');
        const page = { ...body, servers: [imageBacked] };
        expectShapeOf(
          page,
          `nova-api-samples/servers/v${microversion}/servers-details-resp.json`,
          serverShape,
        );
        const shown = await c.nova('GET', `/servers/${imageBacked.id}`, { microversion });
        expectShapeOf(
          shown.body,
          `nova-api-samples/servers/v${microversion}/server-get-resp.json`,
          serverShape,
        );
      },
    );
  });

  it('pages with limit and marker, adds servers_links while pages are full, and needs all_tenants for other projects', async () => {
    const c = cloud();
    expect(
      (
        (await c.nova('GET', '/servers/detail', { microversion: '2.53' })).body as {
          servers: unknown[];
        }
      ).servers,
    ).toEqual([]);
    const seen: string[] = [];
    let path: string | undefined = '/servers/detail?all_tenants=1&host=cmp-01&limit=3';
    while (path !== undefined) {
      const page = (await c.nova('GET', path, { microversion: '2.53' })).body as {
        servers: { id: string }[];
        servers_links?: { href: string; rel: string }[];
      };
      seen.push(...page.servers.map((s) => s.id));
      const next = page.servers_links?.[0];
      path = next === undefined ? undefined : next.href.slice(c.sim.novaUrl.length);
      if (next !== undefined)
        expect(next).toMatchObject({
          rel: 'next',
          href: expect.stringContaining(`marker=${page.servers.at(-1)?.id ?? ''}`) as unknown,
        });
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('shows host_status UP while the compute is up and DOWN once it is forced down', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-03', 'ACTIVE');
    expect(
      (
        (await c.nova('GET', `/servers/${victim.id}`, { microversion: '2.16' })).body as {
          server: { host_status: string };
        }
      ).server.host_status,
    ).toBe('UP');
    await failAndMarkDown(c, 'cmp-03');
    expect(
      (
        (await c.nova('GET', `/servers/${victim.id}`, { microversion: '2.16' })).body as {
          server: { host_status: string };
        }
      ).server.host_status,
    ).toBe('DOWN');
  });
});
