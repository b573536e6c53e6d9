// Just enough Glance v2 and Neutron v2.0 for Nova with the fake virt driver to boot and evacuate
// servers with `"networks": "none"`. Both share one loopback server: Glance paths start with
// /v2/, Neutron's with /v2.0/, and Nova reaches each through `endpoint_override`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only image: its content is never fetched, since the fake driver spawns nothing. */
export const stubImageId = '6e3b4a52-0c8f-4a7e-9d0b-5a1c2f3e4d5a';

const created = '2026-01-01T00:00:00Z';

// glanceclient builds its image model from this schema and fails with KeyError 'id' unless the keys
// it reads are listed under `properties` (docs/nova-and-bmc-facts.md#real-nova-tier). No types:
// nothing to mis-validate.
const imageKeys = [
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'checksum',
  'owner',
  'size',
  'virtual_size',
  'min_ram',
  'min_disk',
  'disk_format',
  'container_format',
  'created_at',
  'updated_at',
  'tags',
  'os_hidden',
  'os_hash_algo',
  'os_hash_value',
  'direct_url',
  'locations',
  'file',
  'schema',
  'self',
];

function image(): Record<string, unknown> {
  return {
    id: stubImageId,
    name: 'lazarus-fake',
    status: 'active',
    visibility: 'public',
    protected: false,
    checksum: null,
    owner: null,
    size: 1024,
    virtual_size: null,
    min_ram: 0,
    min_disk: 0,
    disk_format: 'raw',
    container_format: 'bare',
    created_at: created,
    updated_at: created,
    tags: [],
    os_hidden: false,
    file: `/v2/images/${stubImageId}/file`,
    schema: '/v2/schemas/image',
    self: `/v2/images/${stubImageId}`,
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function glance(path: string, response: ServerResponse): void {
  if (path === '/v2/schemas/image') {
    send(response, 200, {
      name: 'image',
      properties: Object.fromEntries(imageKeys.map((key) => [key, {}])),
      additionalProperties: {},
    });
  } else if (path === '/v2/images') {
    send(response, 200, { images: [image()] });
  } else if (path === `/v2/images/${stubImageId}`) {
    send(response, 200, image());
  } else {
    send(response, 404, { message: `no such image resource ${path}`, code: '404 Not Found' });
  }
}

function neutron(method: string, path: string, response: ServerResponse): void {
  // Every collection is empty: servers are booted without networks, so Nova only ever lists
  // ports, networks or extensions and finds none.
  const collection = /^\/v2\.0\/([a-z_-]+)$/.exec(path)?.[1];
  if (method === 'GET' && collection !== undefined) send(response, 200, { [collection]: [] });
  else
    send(response, 404, {
      NeutronError: {
        type: 'HTTPNotFound',
        message: `the stub has no ${method} ${path}`,
        detail: '',
      },
    });
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://stub').pathname.replace(/\/+$/, '');
  request.resume();
  if (path.startsWith('/v2.0/')) neutron(request.method ?? 'GET', path, response);
  else if (path.startsWith('/v2/')) glance(path, response);
  else send(response, 404, { message: `unknown path ${path}` });
}

export interface Stubs {
  url: string;
  close(): Promise<void>;
}

export async function startImageAndNetworkStubs(): Promise<Stubs> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
