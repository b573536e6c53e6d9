// GET /servers, /servers/detail and /servers/{id} (docs/nova-and-bmc-facts.md#servers-on-a-host).
import type { Instance } from '../world/model.ts';
import type { NovaDeps, NovaHandler, NovaRequest } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { paginate } from './paging.ts';
import { serverView } from './server-view.ts';
import { changesWindow, isWithin } from './validation.ts';

export function findInstance(deps: NovaDeps, id: string): Instance {
  const instance = deps.world.instances.get(id);
  if (instance === undefined) throw notFound(`Instance ${id} could not be found.`);
  return instance;
}

const acceptedBooleans = ['0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'];

/** common.is_all_tenants: strutils.bool_from_string(strict=True); a bare `?all_tenants` means yes. */
function isAllTenants(query: URLSearchParams): boolean {
  const value = query.get('all_tenants');
  if (value === null) return false;
  const word = value.toLowerCase();
  if (word === '') return true;
  if (!acceptedBooleans.includes(word)) {
    throw badRequest(
      `Invalid input received: Unrecognized value '${value}', acceptable values are: ${acceptedBooleans.map((w) => `'${w}'`).join(', ')}`,
    );
  }
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(word);
}

function selectServers(deps: NovaDeps, request: NovaRequest): Instance[] {
  const { query } = request;
  const host = query.get('host');
  const status = query.get('status')?.toUpperCase();
  const project = isAllTenants(query)
    ? (query.get('project_id') ?? query.get('tenant_id'))
    : request.token.project?.id;
  // changes-since is a filter since 2.1, changes-before since 2.66, on updated_at as for migrations.
  const window = changesWindow(query, request.microversion >= 66);
  const candidates =
    host === null ? [...deps.world.instances.values()] : [...deps.world.instancesOn(host)];
  const selected = candidates.filter(
    (i) =>
      isWithin(window, i.updatedAt) &&
      (project === null || project === undefined || i.projectId === project) &&
      (status === undefined || serverView(deps.world, i, request, false).status === status),
  );
  // Nova's default sort: created_at then id, both descending.
  return selected.sort((a, b) => b.createdAt - a.createdAt || b.uuid.localeCompare(a.uuid));
}

function listOf(
  deps: NovaDeps,
  request: NovaRequest,
  collection: string,
  view: (i: Instance) => unknown,
): ReturnType<NovaHandler> {
  const page = paginate(selectServers(deps, request), request.query, {
    markerOf: (i) => i.uuid,
    collectionUrl: `${request.linkBase}/${collection}`,
    markerNotFound: (m) => `marker [${m}] not found`,
  });
  return {
    status: 200,
    body: {
      servers: page.items.map(view),
      ...(page.links === undefined ? {} : { servers_links: page.links }),
    },
  };
}

export const listServersDetail: NovaHandler = (deps, request) =>
  listOf(deps, request, 'servers/detail', (i) => serverView(deps.world, i, request, false));

export const listServers: NovaHandler = (deps, request) =>
  listOf(deps, request, 'servers', (i) => ({
    id: i.uuid,
    name: i.name,
    links: [
      { href: `${request.linkBase}/servers/${i.uuid}`, rel: 'self' },
      { href: `${request.bookmarkBase}/servers/${i.uuid}`, rel: 'bookmark' },
    ],
  }));

export const showServer: NovaHandler = (deps, request) => ({
  status: 200,
  body: {
    server: serverView(deps.world, findInstance(deps, request.params.id ?? ''), request, true),
  },
});
