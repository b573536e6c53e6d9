// The landing watch of one failed host (docs/design.md#the-landing-watch): one listing of the
// host's evacuation migrations covers every evacuation in flight, and one listing of the servers
// that changed since the earliest of those Nova finished covers their landings, judged as
// verifyLanding judges them.
import type { Instance, Migration, NovaClient } from '../openstack/index.ts';
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import type { SeenLanding, WatchedEvacuation } from '../../contracts/evacuation-messages.ts';
import { evacuationWindowStart, existingEvacuation } from '../../domain/evacuation-records.ts';
import { parseOpenStackTime } from '../openstack/openstack-time.ts';
import { landingOf } from './verify-landing.ts';

export interface WatchLandingsInput {
  sourceHost: string;
  incidentStartedAt: string;
  evacuations: WatchedEvacuation[];
}

interface Finished {
  watched: WatchedEvacuation;
  migration: Migration;
}

/** Servers read one by one at once, for the few a listing did not show. */
const SERVER_READS_AT_ONCE = 8;

/** The watched evacuations that finished or failed since the last look; those still in flight are left out. */
export async function watchLandings(
  nova: NovaClient,
  input: WatchLandingsInput,
): Promise<SeenLanding[]> {
  const { sourceHost, incidentStartedAt } = input;
  // changes-since is safe here, unlike before an evacuate (existing-evacuation.ts): a migration
  // that is not touched yet is in flight, which is what its absence means to this listing.
  const migrations = await nova.listMigrations({
    migrationType: 'evacuation',
    sourceCompute: sourceHost,
    changesSince: evacuationWindowStart(incidentStartedAt),
  });
  const finished = input.evacuations.flatMap((watched): Finished[] => {
    const existing = existingEvacuation(migrations, { ...watched, sourceHost, incidentStartedAt });
    return existing.kind === 'finished' || existing.kind === 'failed'
      ? [{ watched, migration: existing.migration }]
      : [];
  });
  if (finished.length === 0) return [];
  const servers = await serversAfter(nova, finished);
  const seen = await mapWithConcurrency(finished, SERVER_READS_AT_ONCE, async (evacuation) => {
    const { watched, migration } = evacuation;
    const instance =
      servers.get(watched.instanceId) ?? (await nova.getInstance(watched.instanceId));
    const landing = landingOf(instance, { ...watched, sourceHost, incidentStartedAt }, migration);
    if ('waitingFor' in landing) return undefined;
    return { watched, landing, ...(landing.outcome === 'landed' ? timesOf(migration) : {}) };
  });
  return seen.filter((landing) => landing !== undefined);
}

/** When Nova marked the evacuation done, and how long after its accept: Nova's clock; none if unreadable. */
function timesOf(migration: Migration): { novaLandedAt?: number; novaLandingMs?: number } {
  const created = parseOpenStackTime(migration.createdAt);
  const done = migration.updatedAt === null ? null : parseOpenStackTime(migration.updatedAt);
  return created === null || done === null || done < created
    ? {}
    : { novaLandedAt: done, novaLandingMs: done - created };
}

/**
 * Nova saves the server of an evacuation for the last time as it ends it, just before it marks the
 * migration done (`finish_evacuation`: the host, then the migration, under one lock) or error, or
 * just after it marks it failed: so every finished one changed at or after the earliest finished
 * migration's updated_at, less this margin for two conductors' clocks. Its created_at, the bound
 * before, reached back to the accept: where Nova queues evacuations for minutes, that listing held
 * every server the whole cloud touched meanwhile, pages of them.
 */
const SERVER_SAVE_MARGIN_MS = 10_000;

/**
 * The finished evacuations' servers, from one listing when there are several (Nova's clock on both
 * sides: no skew but between its own processes). Listed after the migrations, so a finished
 * migration's server is final there too. A server the listing does not show (none should be
 * missing) is read on its own.
 */
async function serversAfter(
  nova: NovaClient,
  finished: readonly Finished[],
): Promise<ReadonlyMap<string, Instance>> {
  if (finished.length === 1) return new Map();
  const ended = finished.map(({ migration }) =>
    parseOpenStackTime(migration.updatedAt ?? migration.createdAt),
  );
  if (ended.includes(null)) return new Map();
  // Milliseconds in UTC: Nova's microseconds are cut, which only moves the bound earlier.
  const since = new Date(Math.min(...ended.map(Number)) - SERVER_SAVE_MARGIN_MS).toISOString();
  const listed = await nova.listInstancesChangedSince(since);
  return new Map(listed.map((instance) => [instance.id, instance]));
}
