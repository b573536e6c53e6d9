// GET /os-migrations (nova/api/openstack/compute/migrations.py; docs/nova-and-bmc-facts.md#listing-migrations).
import type { Migration } from '../world/model.ts';
import type { NovaHandler } from './context.ts';
import { paginate } from './paging.ts';
import { isoMicros } from '../timestamps.ts';
import { changesWindow, isWithin, rejectUnknownQuery } from './validation.ts';

function migrationView(m: Migration, mv: number): Record<string, unknown> {
  return {
    id: m.id,
    ...(mv >= 59 ? { uuid: m.uuid } : {}),
    instance_uuid: m.instanceUuid,
    source_compute: m.sourceCompute,
    source_node: m.sourceNode,
    dest_compute: m.destCompute,
    dest_node: m.destNode,
    dest_host: m.destHost,
    status: m.status,
    // An evacuation keeps its flavor.
    old_instance_type_id: 1,
    new_instance_type_id: 1,
    created_at: isoMicros(m.createdAt),
    updated_at: m.updatedAt === null ? null : isoMicros(m.updatedAt),
    ...(mv >= 23 ? { migration_type: m.migrationType } : {}),
    ...(mv >= 80 ? { user_id: m.userId, project_id: m.projectId } : {}),
  };
}

const filters = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type'];

export const listMigrations: NovaHandler = (deps, request) => {
  const { query, microversion: mv } = request;
  if (mv >= 59) {
    rejectUnknownQuery(query, [
      ...filters,
      'limit',
      'marker',
      'changes-since',
      ...(mv >= 66 ? ['changes-before'] : []),
      ...(mv >= 80 ? ['user_id', 'project_id'] : []),
    ]);
  }
  const window = mv >= 59 ? changesWindow(query, mv >= 66) : { since: null, before: null };
  const exact = (name: string, value: string | null): boolean =>
    query.get(name) === null || query.get(name) === value;
  const host = query.get('host');
  const selected = deps.world.migrations.filter(
    (m) =>
      exact('instance_uuid', m.instanceUuid) &&
      exact('source_compute', m.sourceCompute) &&
      exact('status', m.status) &&
      exact('migration_type', m.migrationType) &&
      (mv < 80 || (exact('user_id', m.userId) && exact('project_id', m.projectId))) &&
      (host === null || m.sourceCompute === host || m.destCompute === host) &&
      // SQL's updated_at >= T is never true for NULL: a just-accepted evacuation is not "changed since" anything.
      (window.since === null && window.before === null
        ? true
        : m.updatedAt !== null && isWithin(window, m.updatedAt)),
  );
  if (mv < 59)
    return { status: 200, body: { migrations: selected.map((m) => migrationView(m, mv)) } };
  // 2.59 sorts by created_at, then id, both descending, and pages by uuid.
  const sorted = [...selected].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
  const page = paginate(sorted, query, {
    markerOf: (m) => m.uuid,
    collectionUrl: `${request.linkBase}/os-migrations`,
    markerNotFound: (m) => `Marker ${m} could not be found.`,
  });
  return {
    status: 200,
    body: {
      migrations: page.items.map((m) => migrationView(m, mv)),
      ...(page.links === undefined ? {} : { migrations_links: page.links }),
    },
  };
};
