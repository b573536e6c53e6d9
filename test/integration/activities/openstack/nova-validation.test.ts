// Answers Lazarus cannot trust are refused as UnexpectedResponse rather than half-read: a record
// of the wrong shape, a microversion other than the one asked for, a next link that loops.
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeystoneSession } from '../../../../activities/openstack/index.ts';
import { NovaApi } from '../../../../activities/openstack/nova-api.ts';
import { negotiateMicroversion } from '../../../../activities/openstack/nova-microversion.ts';
import { computeServiceSchema } from '../../../../activities/openstack/nova-types.ts';
import { captureLogs, credentialsOf, quickRetries, useSimulator } from './cloud.ts';

const sim = useSimulator({ hosts: 1, instancesPerHost: 1 });

/** A stand-in Nova whose answers each test chooses; Keystone is the simulator's. */
let answer: (path: string, res: ServerResponse) => void = (_path, res) => res.end();
let server: Server | undefined;
let novaUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    answer(req.url ?? '', res);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  novaUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2.1`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function reply(res: ServerResponse, body: unknown, microversion = '2.95'): void {
  res.writeHead(200, {
    'content-type': 'application/json',
    'openstack-api-version': `compute ${microversion}`,
  });
  res.end(JSON.stringify(body));
}

async function api(): Promise<NovaApi> {
  const logs = captureLogs();
  const session = await KeystoneSession.open({
    credentials: await credentialsOf(sim()),
    logger: logs.logger,
  });
  return new NovaApi(session, novaUrl, negotiateMicroversion({ min: '2.1', max: '2.95' }), {
    retry: quickRetries,
    pageSize: 1,
    logger: logs.logger,
  });
}

const servicesSchema = z.object({ services: z.array(computeServiceSchema) });

describe('validation of what Nova answers', () => {
  it('refuses a record without the fields Lazarus relies on, naming the field', async () => {
    answer = (_path, res) => {
      reply(res, {
        services: [
          {
            id: 7,
            binary: 'nova-compute',
            host: 'cmp-01',
            zone: 'nova',
            status: 'enabled',
            state: 'up',
            updated_at: null,
            disabled_reason: null,
          },
        ],
      });
    };
    await expect(
      (await api()).read('os-services', servicesSchema, 'list the services'),
    ).rejects.toMatchObject({
      type: 'UnexpectedResponse',
      message: expect.stringMatching(
        /^Nova's answer to the request to list the services does not have the shape microversion 2\.95 promises \(services\.0\.id: /,
      ) as unknown,
    });
  });

  it('keeps the services of a cell Nova cannot reach, marked UNKNOWN (2.69+)', async () => {
    answer = (_path, res) => {
      reply(res, { services: [{ binary: 'nova-compute', host: 'cmp-09', status: 'UNKNOWN' }] });
    };
    expect(await (await api()).read('os-services', servicesSchema, 'list the services')).toEqual({
      services: [{ binary: 'nova-compute', host: 'cmp-09', status: 'UNKNOWN' }],
    });
  });

  it('refuses an answer at another microversion than the one asked for', async () => {
    answer = (_path, res) => {
      reply(res, { services: [] }, '2.1');
    };
    await expect(
      (await api()).read('os-services', servicesSchema, 'list the services'),
    ).rejects.toMatchObject({
      type: 'UnexpectedResponse',
      message: expect.stringMatching(
        /answered .* at "compute 2.1" though Lazarus asked for "compute 2.95"; check that no proxy drops/,
      ) as unknown,
    });
  });

  it('stops paging when a next link repeats a marker instead of looping forever', async () => {
    answer = (_path, res) => {
      reply(res, {
        migrations: [],
        migrations_links: [{ rel: 'next', href: `${novaUrl}/os-migrations?limit=1&marker=m-1` }],
      });
    };
    await expect(
      (await api()).readAll(
        'os-migrations',
        { items: 'migrations', links: 'migrations_links' },
        z.unknown(),
        new URLSearchParams(),
        'list migrations',
        true,
      ),
    ).rejects.toMatchObject({
      type: 'UnexpectedResponse',
      message: expect.stringMatching(/repeats marker m-1/) as unknown,
    });
  });

  it('takes only the marker from a next link, and keeps asking its own endpoint', async () => {
    const asked: string[] = [];
    answer = (path, res) => {
      asked.push(path);
      const isFirst = !path.includes('marker=');
      reply(res, {
        migrations: [isFirst ? 1 : 2],
        ...(isFirst
          ? {
              migrations_links: [
                {
                  rel: 'next',
                  href: 'http://nova.internal.example:8774/v2.1/os-migrations?limit=1&marker=m-1',
                },
              ],
            }
          : {}),
      });
    };
    expect(
      await (
        await api()
      ).readAll(
        'os-migrations',
        { items: 'migrations', links: 'migrations_links' },
        z.number(),
        new URLSearchParams({ migration_type: 'evacuation' }),
        'list migrations',
        true,
      ),
    ).toEqual([1, 2]);
    expect(asked).toEqual([
      '/v2.1/os-migrations?migration_type=evacuation&limit=1',
      '/v2.1/os-migrations?migration_type=evacuation&limit=1&marker=m-1',
    ]);
  });
});
