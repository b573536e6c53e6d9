// The landing watch (docs/design.md#the-landing-watch): once Nova accepted an evacuation, the
// evacuation tells its incident, and the incident looks at all of them with one listing of the
// host's migrations per look, telling each how it landed, and looks when they can have landed
// (landing-pace.ts). Nova is asked once per look for the whole host instead of once per instance per
// backoff step, and an evacuation no longer holds a slot of the incident while its rebuild runs.
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
  landingSeenSignal,
  lookYourselfSignal,
} from '../contracts/evacuation-messages.ts';
import type { HostFailure } from '../domain/host-failure.ts';
import { watchLandings } from './activity-options.ts';
import type { LandingPace } from '../domain/landing-pace.ts';
import type { NovaPace } from '../domain/nova-queue.ts';
import { withLanding } from '../domain/nova-queue.ts';
import { LONGEST_TICK_IN_INTERVALS, nextLookInMs } from '../domain/landing-pace.ts';
import type { WaitingBoard } from './wait-out-outages.ts';
import { tell, untilAnswered } from './wait-out-outages.ts';

/** Evacuations started before this change watch their own landing, as they did. */
export const LANDING_WATCH_PATCH = 'landing-watched-by-incident';
/**
 * Watches that began before this change look every tick, doubling it after a look that saw no
 * evacuation start (landings were not counted, so the tail of a host's landings was seen up to
 * LONGEST_TICK_IN_INTERVALS late); they keep doing so, as they did.
 */
export const LANDING_PACE_PATCH = 'landing-watch-paced-by-landings';
/**
 * Evacuations started before this change looked for themselves once their patience ran out, so
 * every rebuild longer than it was watched by one retrying verifyLanding per instance (at 50 hosts
 * of 40 instances, 9 Nova requests per instance); they keep doing so, as they did.
 */
export const LANDING_REANNOUNCE_PATCH = 'landing-watch-reannounced';
/**
 * How long an evacuation waits for its incident's word before it tells it again that it is in
 * flight: the run it told may have been reset meanwhile, and the new run, which lists the instance
 * in REBUILD, does not know of it until then.
 */
const WATCH_PATIENCE_MS = 2 * 60_000;

const isSameWatch = (a: WatchedEvacuation | undefined, b: WatchedEvacuation): boolean =>
  a?.instanceId === b.instanceId && a.retryAfterMigrationId === b.retryAfterMigrationId;
const watchKey = (evacuation: WatchedEvacuation): string =>
  `${evacuation.instanceId}/${evacuation.retryAfterMigrationId ?? 'first'}`;

/** The incident's side: one desk for its whole life, and a watch over its evacuations while they run. */
export interface LandingDesk {
  /** Watches from now until nothing is left to watch and the host's evacuations are done. */
  watch(failure: HostFailure, intervalMs: number, progress: EvacuationProgress): LandingWatch;
}

/** How far the host's evacuations are, as the incident starting them knows. */
export interface EvacuationProgress {
  /** Every evacuation is started: no more will join those watched. */
  isEveryStarted(): boolean;
  /** Every evacuation ended. */
  isDone(): boolean;
}

export interface LandingWatch {
  isAccepted(instanceId: string): boolean;
  /** What the host's landings so far say of Nova's pace; undefined before the first. */
  novaPace(): NovaPace | undefined;
  /** Resolves once the watch ended. */
  readonly ended: Promise<void>;
}

/**
 * Opened when the incident starts, so that an evacuation telling a run that is not watching (an
 * earlier run's evacuation, before or after this run's own) hears at once to look for itself.
 */
export function openLandingDesk(host: string, board: WaitingBoard): LandingDesk {
  const watched = new Map<string, WatchedEvacuation>();
  const accepted = new Set<string>();
  // When each watched evacuation's acceptance was heard, and the landings that pace the watch.
  const acceptedAt = new Map<string, number>();
  let landings: LandingPace['landings'];
  let nova: NovaPace | undefined;
  const timeLanding = (heardAt: number | undefined, seen: SeenLanding): void => {
    const { novaLandingMs: landingMs, novaLandedAt: landedAt } = seen;
    if (landingMs === undefined) return;
    if (landedAt !== undefined) nova = withLanding(nova, { landedAt, landingMs });
    if (heardAt === undefined) return;
    const landing = { acceptedAt: heardAt, landingMs };
    if (landings === undefined) landings = { first: landing, newest: landing };
    else if (heardAt >= landings.newest.acceptedAt) landings = { ...landings, newest: landing };
  };
  /** Each landing told, for an evacuation that asks again before the word reached it. */
  const seenLandings = new Map<string, SeenLanding>();
  let isWatching = false;
  setHandler(evacuationAcceptedSignal, (evacuation) => {
    if (!isWatching) {
      tell(evacuation.workflowId, lookYourselfSignal);
      return;
    }
    // Said again after its patience ran out: told again if its landing was seen (the word may be
    // on its way), and its acceptance not heard anew, which would make it look young to the pace.
    const told = seenLandings.get(watchKey(evacuation));
    if (told !== undefined) {
      tell(evacuation.workflowId, landingSeenSignal, told);
      return;
    }
    if (isSameWatch(watched.get(evacuation.instanceId), evacuation)) return;
    watched.set(evacuation.instanceId, evacuation);
    accepted.add(evacuation.instanceId);
    acceptedAt.set(evacuation.instanceId, Date.now());
  });
  /**
   * How many evacuations the look saw land or fail, and what watches before LANDING_PACE_PATCH
   * counted as a change (only those started during the look).
   */
  const look = async (failure: HostFailure): Promise<{ landed: number; countedBefore: number }> => {
    const evacuations = [...watched.values()];
    const seen = await untilAnswered(
      `watch the evacuations from ${host} land`,
      () => watchLandings({ sourceHost: host, incidentStartedAt: failure.startedAt, evacuations }),
      board,
    );
    for (const landing of seen) {
      const { instanceId, workflowId } = landing.watched;
      if (!isSameWatch(watched.get(instanceId), landing.watched)) continue;
      timeLanding(acceptedAt.get(instanceId), landing);
      seenLandings.set(watchKey(landing.watched), landing);
      watched.delete(instanceId);
      acceptedAt.delete(instanceId);
      tell(workflowId, landingSeenSignal, landing);
    }
    return {
      landed: seen.length,
      countedBefore: seen.length + watched.size - evacuations.length,
    };
  };
  const run = async (
    failure: HostFailure,
    intervalMs: number,
    progress: EvacuationProgress,
  ): Promise<void> => {
    let waitMs = intervalMs;
    for (;;) {
      await condition(() => watched.size > 0 || progress.isDone());
      if (watched.size === 0) return;
      const { landed, countedBefore } = await look(failure);
      if (patched(LANDING_PACE_PATCH)) {
        waitMs = nextLookInMs({
          intervalMs,
          lastWaitMs: waitMs,
          sawLanding: landed > 0,
          acceptedAt: [...acceptedAt.values()],
          landings,
          isEveryEvacuationStarted: progress.isEveryStarted(),
          now: Date.now(),
        });
      } else {
        waitMs =
          countedBefore > 0
            ? intervalMs
            : Math.min(LONGEST_TICK_IN_INTERVALS * intervalMs, waitMs * 2);
      }
      await sleep(waitMs);
    }
  };
  return {
    watch(failure, intervalMs, progress) {
      isWatching = true;
      return {
        isAccepted: (instanceId) => accepted.has(instanceId),
        novaPace: () => nova,
        ended: run(failure, intervalMs, progress).finally(() => {
          isWatching = false;
        }),
      };
    },
  };
}

/** What an evacuation's own look at its landing answers: a report, or why it gave up. */
type OwnLook = () => Promise<LandingReport | { gaveUp: string }>;

/**
 * The evacuation's side: its landing as its incident's watch saw it. An evacuation with no incident
 * to tell (started on its own, or its incident closed) looks for itself, as before the watch.
 */
export function landingFromIncident(
  patienceMs = WATCH_PATIENCE_MS,
): (watched: WatchedEvacuation, ownLook: OwnLook) => Promise<LandingReport | { gaveUp: string }> {
  const seen: SeenLanding[] = [];
  setHandler(landingSeenSignal, (landing) => {
    seen.push(landing);
  });
  let isToldToLook = false;
  setHandler(lookYourselfSignal, () => {
    isToldToLook = true;
  });
  const parent = workflowInfo().parent;
  return async (watched, ownLook) => {
    if (parent === undefined || !patched(LANDING_WATCH_PATCH)) return ownLook();
    const mine = () => seen.find((landing) => isSameWatch(landing.watched, watched));
    isToldToLook = false;
    const isAnswered = (): boolean => mine() !== undefined || isToldToLook;
    // Its acceptance, then the same again each time its patience runs out without word: a rebuild
    // or a queue in Nova may outlast any patience, and the incident's current run adopts it (a
    // reset run learns of it so). Watches before LANDING_REANNOUNCE_PATCH looked on their own then.
    for (let told = 0; told === 0 || patched(LANDING_REANNOUNCE_PATCH); told += 1) {
      try {
        await getExternalWorkflowHandle(parent.workflowId).signal(
          evacuationAcceptedSignal,
          watched,
        );
      } catch {
        return ownLook();
      }
      if (await condition(isAnswered, patienceMs)) break;
    }
    // Not watched (the incident is not evacuating now, or a new run of it does not know of this
    // evacuation): a landing is never left unobserved.
    return mine()?.landing ?? ownLook();
  };
}
