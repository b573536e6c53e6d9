// The landing watch of one failed host (docs/design.md#the-landing-watch): one listing of the
// host's evacuation migrations covers every evacuation in flight, and only those Nova finished are
// read further, one server each, to judge the landing as verifyLanding does.
import type { Migration, NovaClient } from '../openstack/index.ts';
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import type { SeenLanding, WatchedEvacuation } from '../../contracts/evacuation-messages.ts';
import { evacuationWindowStart, existingEvacuation } from '../../domain/evacuation-records.ts';
import { landingIn } from './verify-landing.ts';

export interface WatchLandingsInput {
  sourceHost: string;
  incidentStartedAt: string;
  evacuations: WatchedEvacuation[];
}

/** Servers read at once when many evacuations finish in one tick. */
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
  const finished = input.evacuations.flatMap((watched) => {
    const existing = existingEvacuation(migrations, { ...watched, sourceHost, incidentStartedAt });
    return existing.kind === 'finished' || existing.kind === 'failed'
      ? [{ watched, migration: existing.migration }]
      : [];
  });
  const seen = await mapWithConcurrency(finished, SERVER_READS_AT_ONCE, judged(nova, input));
  return seen.filter((landing) => landing !== undefined);
}

function judged(nova: NovaClient, { sourceHost, incidentStartedAt }: WatchLandingsInput) {
  return async ({
    watched,
    migration,
  }: {
    watched: WatchedEvacuation;
    migration: Migration;
  }): Promise<SeenLanding | undefined> => {
    const landing = await landingIn(nova, { ...watched, sourceHost, incidentStartedAt }, migration);
    return 'waitingFor' in landing ? undefined : { watched, landing };
  };
}
