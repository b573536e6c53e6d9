// The landing watch (docs/design.md#the-landing-watch): once Nova accepted an evacuation, the
// evacuation tells its incident, and the incident looks at all of them with one listing of the
// host's migrations per tick, telling each how it landed. Nova is asked once per tick for the whole
// host instead of once per instance per backoff step, and an evacuation no longer holds a slot of
// the incident while its rebuild runs.
import {
  condition,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { LandingReport } from '../activities/incident/index.ts';
import type { SeenLanding, WatchedEvacuation } from '../contracts/evacuation-messages.ts';
import {
  evacuationAcceptedSignal,
  evacuationWorkflowId,
  landingSeenSignal,
} from '../contracts/evacuation-messages.ts';
import type { HostFailure } from '../domain/host-failure.ts';
import { watchLandings } from './activity-options.ts';
import type { WaitingBoard } from './wait-out-outages.ts';
import { untilAnswered } from './wait-out-outages.ts';

/** Evacuations started before this change watch their own landing, as they did. */
export const LANDING_WATCH_PATCH = 'landing-watched-by-incident';

/** The tick while evacuations land or start; each empty tick doubles it up to the longest. */
export const LANDING_TICK_MS = 1_000;
/** A rebuild of minutes (a real Nova) then costs the incident's history a few events a minute. */
const LONGEST_LANDING_TICK_MS = 8_000;
/**
 * An evacuation waiting for its incident's word tells it again this often: a reset incident's new
 * run learns so of the evacuations the earlier run watched.
 */
const WATCH_REMINDER_MS = 5 * 60_000;

const isSameWatch = (a: WatchedEvacuation | undefined, b: WatchedEvacuation): boolean =>
  a?.instanceId === b.instanceId && a.retryAfterMigrationId === b.retryAfterMigrationId;

/** The incident's side: which evacuations Nova accepted, and the watch over them. */
export interface LandingWatch {
  isAccepted(instanceId: string): boolean;
  /** Watches until nothing is left to watch and `isDone()`. */
  run(isDone: () => boolean): Promise<void>;
}

export function openLandingWatch(
  host: string,
  failure: HostFailure,
  board: WaitingBoard,
): LandingWatch {
  const watched = new Map<string, WatchedEvacuation>();
  const accepted = new Set<string>();
  setHandler(evacuationAcceptedSignal, (evacuation) => {
    watched.set(evacuation.instanceId, evacuation);
    accepted.add(evacuation.instanceId);
  });
  const look = async (): Promise<number> => {
    const evacuations = [...watched.values()];
    const seen = await untilAnswered(
      `watch the evacuations from ${host} land`,
      () => watchLandings({ sourceHost: host, incidentStartedAt: failure.startedAt, evacuations }),
      board,
    );
    for (const landing of seen) {
      const { instanceId } = landing.watched;
      if (!isSameWatch(watched.get(instanceId), landing.watched)) continue;
      watched.delete(instanceId);
      // An evacuation closed meanwhile (terminated, cancelled) has nobody left to tell.
      void getExternalWorkflowHandle(evacuationWorkflowId(failure.incidentId, instanceId))
        .signal(landingSeenSignal, landing)
        .catch(() => undefined);
    }
    return seen.length + watched.size - evacuations.length;
  };
  return {
    isAccepted: (instanceId) => accepted.has(instanceId),
    async run(isDone) {
      let tickMs = LANDING_TICK_MS;
      for (;;) {
        await condition(() => watched.size > 0 || isDone());
        if (watched.size === 0) return;
        const changes = await look();
        tickMs = changes > 0 ? LANDING_TICK_MS : Math.min(LONGEST_LANDING_TICK_MS, tickMs * 2);
        await sleep(tickMs);
      }
    },
  };
}

/** What an evacuation's own look at its landing answers: a report, or why it gave up. */
type OwnLook = () => Promise<LandingReport | { gaveUp: string }>;

/**
 * The evacuation's side: its landing as its incident's watch saw it. An evacuation with no incident
 * to tell (started on its own, or its incident closed) looks for itself, as before the watch.
 */
export function landingFromIncident(): (
  watched: WatchedEvacuation,
  ownLook: OwnLook,
) => Promise<LandingReport | { gaveUp: string }> {
  const seen: SeenLanding[] = [];
  setHandler(landingSeenSignal, (landing) => {
    seen.push(landing);
  });
  const parent = workflowInfo().parent;
  return async (watched, ownLook) => {
    if (parent === undefined || !patched(LANDING_WATCH_PATCH)) return ownLook();
    const mine = () => seen.find((landing) => isSameWatch(landing.watched, watched));
    for (;;) {
      try {
        await getExternalWorkflowHandle(parent.workflowId).signal(
          evacuationAcceptedSignal,
          watched,
        );
      } catch {
        return ownLook();
      }
      await condition(() => mine() !== undefined, WATCH_REMINDER_MS);
      const landing = mine();
      if (landing !== undefined) return landing.landing;
    }
  };
}
