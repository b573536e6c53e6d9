// placement-api over HTTP, the reads only: resource providers, their inventories and their usages
// (Placement's api-ref, "Resource Providers", "Resource Provider Inventories", "Resource Provider
// Usages"). Every compute node is one provider whose uuid is the hypervisor's id (2.53+), as in
// Nova; its inventory is the host's capacity with no reservation and ratio 1.0, which is what the
// simulator's scheduler places against, and its usage is what that scheduler counts as claimed.
import type { Reply, RequestHandler, Route } from '../http/server.ts';
import { matchRoute, segmentsOf, send } from '../http/server.ts';
import type { TokenStore } from '../keystone/tokens.ts';
import { headerText, unauthenticated } from '../nova/app.ts';
import type { SeededRandom } from '../random.ts';
import type { Capacity, Host } from '../world/model.ts';
import type { World } from '../world/world.ts';

export interface PlacementAppOptions {
  world: World;
  tokens: TokenStore;
  random: SeededRandom;
  /** The Keystone URL keystonemiddleware names in WWW-Authenticate. */
  keystoneUrl: () => string;
}

type PlacementHandler = (world: World, host: Host) => unknown;

const byResourceClass = (c: Capacity): Record<string, number> => ({
  VCPU: c.vcpus,
  MEMORY_MB: c.ramMb,
  DISK_GB: c.diskGb,
});

const routes: Route<PlacementHandler | 'list'>[] = [
  { method: 'GET', pattern: 'resource_providers', handler: 'list' },
  {
    method: 'GET',
    pattern: 'resource_providers/{uuid}/inventories',
    handler: (_world, host) => ({
      resource_provider_generation: 1,
      inventories: Object.fromEntries(
        Object.entries(byResourceClass(host.capacity)).map(([resourceClass, total]) => [
          resourceClass,
          { total, reserved: 0, min_unit: 1, max_unit: total, step_size: 1, allocation_ratio: 1.0 },
        ]),
      ),
    }),
  },
  {
    method: 'GET',
    pattern: 'resource_providers/{uuid}/usages',
    handler: (world, host) => {
      const free = world.freeCapacity(host);
      return {
        resource_provider_generation: 1,
        usages: byResourceClass({
          vcpus: host.capacity.vcpus - free.vcpus,
          ramMb: host.capacity.ramMb - free.ramMb,
          diskGb: host.capacity.diskGb - free.diskGb,
        }),
      };
    },
  },
];

export function createPlacementHandler(options: PlacementAppOptions): RequestHandler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const requestId = `req-${options.random.uuid()}`;
    const headers = {
      'x-openstack-request-id': requestId,
      'openstack-api-version': 'placement 1.0',
      vary: 'openstack-api-version',
    };
    const token = options.tokens.validate(headerText(req, 'x-auth-token'));
    if (token === null) {
      send(res, unauthenticated(options.keystoneUrl()));
      return Promise.resolve();
    }
    const error = (status: number, title: string, detail: string): Reply => ({
      status,
      headers,
      body: {
        errors: [
          { status, title, detail, request_id: requestId, code: 'placement.undefined_code' },
        ],
      },
    });
    const match = matchRoute(routes, req.method ?? 'GET', segmentsOf(url.pathname));
    if (match.kind !== 'found') {
      send(
        res,
        match.kind === 'missing'
          ? error(404, 'Not Found', 'The resource could not be found.')
          : error(
              405,
              'Method Not Allowed',
              `The method specified is not allowed for this resource.`,
            ),
      );
      return Promise.resolve();
    }
    if (!token.roles.some((role) => role.name === 'admin')) {
      send(
        res,
        error(
          403,
          'Forbidden',
          'Policy does not allow placement:resource_providers:list to be performed.',
        ),
      );
      return Promise.resolve();
    }
    const hosts = [...options.world.hosts.values()];
    const handler = match.route.handler;
    if (handler === 'list') {
      const body = {
        resource_providers: hosts.map((host) => ({
          uuid: host.hypervisorUuid,
          name: host.name,
          generation: 1,
          parent_provider_uuid: null,
          root_provider_uuid: host.hypervisorUuid,
        })),
      };
      send(res, { status: 200, headers, body });
      return Promise.resolve();
    }
    const uuid = match.params.uuid ?? '';
    const host = hosts.find((candidate) => candidate.hypervisorUuid === uuid);
    send(
      res,
      host === undefined
        ? error(404, 'Not Found', `No resource provider with uuid ${uuid} found`)
        : { status: 200, headers, body: handler(options.world, host) },
    );
    return Promise.resolve();
  };
}
