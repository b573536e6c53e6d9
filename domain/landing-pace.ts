// When the landing watch looks next (docs/design.md#the-landing-watch). Once Nova has landed an
// evacuation of the host, how long a landing takes is known, and so is when the evacuations still
// watched can land: the watch looks then, not every tick, so a look sees several landings and a
// host whose evacuations land seconds apart does not cost Nova a listing per second. Before that,
// and for evacuations later than their due, it backs off while nothing lands.

/**
 * Each look that sees nothing land doubles the wait before the next, up to this many intervals: a
 * rebuild of minutes (a real Nova) then costs the incident's history a few events a minute.
 */
export const LONGEST_TICK_IN_INTERVALS = 8;
/**
 * The longest wait for evacuations due later, in intervals: a minute at the default second, half
 * the patience of an evacuation waiting for its incident's word (landing-watch.ts), so a landing
 * is never left to the evacuation's own look while the watch sleeps.
 */
export const LONGEST_DUE_WAIT_IN_INTERVALS = 60;
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
  const due = pace.landingMs === undefined ? undefined : dueAt(pace.acceptedAt, pace.landingMs);
  if (due !== undefined && due > pace.now) {
    const longestMs = LONGEST_DUE_WAIT_IN_INTERVALS * pace.intervalMs;
    return Math.min(longestMs, Math.max(pace.intervalMs, due - pace.now));
  }
  // Nothing landed yet, or these are later than their due (Nova's queue grew): back off while
  // nothing lands. A start says nothing of when the first landing comes: its rebuild alone takes
  // longer than the longest tick on a real cloud.
  return pace.sawLanding
    ? pace.intervalMs
    : Math.min(LONGEST_TICK_IN_INTERVALS * pace.intervalMs, 2 * pace.lastWaitMs);
}

/** When LANDINGS_PER_LOOK of the watched evacuations (or all, if fewer) can have landed. */
function dueAt(acceptedAt: readonly number[], landingMs: number): number | undefined {
  const sorted = [...acceptedAt].sort((a, b) => a - b);
  const nth = sorted[Math.min(LANDINGS_PER_LOOK, sorted.length) - 1];
  return nth === undefined ? undefined : nth + landingMs;
}
