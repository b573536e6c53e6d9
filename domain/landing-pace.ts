// When the landing watch looks next (docs/design.md#the-landing-watch). Once Nova has landed an
// evacuation of the host, how long a landing takes is known, and so is when the evacuations still
// watched can land: the watch looks then, not every tick, so a look sees several landings and a
// host whose evacuations land seconds apart does not cost Nova a listing per second. Before that,
// and for evacuations later than their due, it backs off while nothing changes.

/**
 * Each look that sees nothing land or start doubles the wait before the next, up to this many
 * intervals: a rebuild of minutes (a real Nova) then costs the incident's history a few events a
 * minute.
 */
export const LONGEST_TICK_IN_INTERVALS = 8;
/**
 * The watch waits until this many of the evacuations it watches can have landed: a look costs Nova
 * a listing of the host's migrations and one of its changed servers, so its share of an evacuation
 * stays under one request. With fewer watched (the last of a host's evacuations), it waits until
 * all can have landed, when the last of them is seen as soon as it could be anyway.
 */
export const LANDINGS_PER_LOOK = 3;

export interface LandingPace {
  intervalMs: number;
  /** The wait before the look just made. */
  lastWaitMs: number;
  /** Whether the look just made saw an evacuation land or fail. */
  sawLanding: boolean;
  /** Whether an evacuation started since the look before. */
  sawStart: boolean;
  /** Workflow time at which Nova's acceptance of each evacuation still watched was heard. */
  acceptedAt: readonly number[];
  /**
   * How long the newest landing seen took, from Nova's accept to done (Nova's clock): landings queue
   * behind one another in Nova, so the newest says best how long the next ones take.
   */
  landingMs: number | undefined;
  now: number;
}

export function nextLookInMs(pace: LandingPace): number {
  const longestMs = LONGEST_TICK_IN_INTERVALS * pace.intervalMs;
  const backOff = (sawChange: boolean): number =>
    sawChange ? pace.intervalMs : Math.min(longestMs, 2 * pace.lastWaitMs);
  // Nothing landed yet: an evacuation just started may be the one that lands soon.
  if (pace.landingMs === undefined) return backOff(pace.sawLanding || pace.sawStart);
  const due = dueAt(pace.acceptedAt, pace.landingMs);
  if (due !== undefined && due > pace.now)
    return Math.min(longestMs, Math.max(pace.intervalMs, due - pace.now));
  // Due already: these take longer than the newest landing did (Nova's queue grew).
  return backOff(pace.sawLanding);
}

/** When LANDINGS_PER_LOOK of the watched evacuations (or all, if fewer) can have landed. */
function dueAt(acceptedAt: readonly number[], landingMs: number): number | undefined {
  const sorted = [...acceptedAt].sort((a, b) => a - b);
  const nth = sorted[Math.min(LANDINGS_PER_LOOK, sorted.length) - 1];
  return nth === undefined ? undefined : nth + landingMs;
}
