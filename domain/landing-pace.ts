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
 * stays well under one request. With fewer watched and none left to start (the last of the host's
 * evacuations), it waits until all can have landed, when the last of them is seen as soon as it
 * could be anyway. Five, not three: at 20 hosts sharing one Nova, three left the bench's Lazarus at
 * 3.7 requests per instance (docs/design.md#the-landing-watch).
 */
export const LANDINGS_PER_LOOK = 5;
/**
 * The longest wait for the host's last evacuations, in intervals: where Nova's queue drains as the
 * last evacuates go out, they land sooner than the newest landing says (at 20x50, 13 s sooner for
 * a landing of 5 minutes), and the recovery ends with them. Twice the longest tick: the bench's
 * model of 20x50 put the last look 10 s after the last landing with it, 26 s without, for 0.08 more
 * Nova requests per instance; at every tick, 9 s for 0.16.
 */
export const LONGEST_LAST_WAIT_IN_INTERVALS = 16;
/**
 * How far apart in acceptance two landings must be for the growth of Nova's landing time between
 * them to count: closer ones differ by the jitter of Nova's queue more than by its growth.
 */
export const GROWTH_SPAN_IN_INTERVALS = 20;

/** A landing seen: when its acceptance was heard (workflow time) and how long Nova took (its clock). */
export interface TimedLanding {
  acceptedAt: number;
  landingMs: number;
}

export interface LandingPace {
  intervalMs: number;
  /** The wait before the look just made. */
  lastWaitMs: number;
  /** Whether the look just made saw an evacuation land or fail. */
  sawLanding: boolean;
  /** Workflow time at which Nova's acceptance of each evacuation still watched was heard. */
  acceptedAt: readonly number[];
  /**
   * The first landing the watch saw, and the one accepted last: landings queue behind one another
   * in Nova, so the newest says best how long the next ones take, and the two together how fast
   * that grows while more are sent than Nova lands. Undefined until one landed.
   */
  landings: { first: TimedLanding; newest: TimedLanding } | undefined;
  /** Every evacuation of the host is started: none will join those watched. */
  isEveryEvacuationStarted: boolean;
  now: number;
}

export function nextLookInMs(pace: LandingPace): number {
  const { intervalMs, landings } = pace;
  // Once every evacuation of the host is started its own queue in Nova no longer grows but drains:
  // growth would put the due too late, by up to the longest due wait (a tail of 45 s at 5x50).
  const growth =
    landings === undefined || pace.isEveryEvacuationStarted ? 0 : growthOf(landings, intervalMs);
  // The host's last evacuations: the recovery ends with them, so a due too late costs the whole
  // incident: shorter waits, and a short backoff past due.
  const isLast = pace.isEveryEvacuationStarted && pace.acceptedAt.length <= LANDINGS_PER_LOOK;
  const due = landings === undefined ? undefined : dueAt(pace.acceptedAt, landings.newest, growth);
  if (due !== undefined && due > pace.now) {
    const longest = isLast ? LONGEST_LAST_WAIT_IN_INTERVALS : LONGEST_DUE_WAIT_IN_INTERVALS;
    return Math.min(longest * intervalMs, Math.max(intervalMs, due - pace.now));
  }
  if (pace.sawLanding) return intervalMs;
  const longestTickMs = LONGEST_TICK_IN_INTERVALS * intervalMs;
  // Later than due, the last are looked for again within half the delay so far.
  if (due !== undefined && isLast)
    return Math.min(longestTickMs, Math.max(intervalMs, (pace.now - due) / 2));
  // Nothing landed yet, or these are later than their due (Nova's queue grew faster): back off
  // while nothing lands. A start says nothing of when the first landing comes: its rebuild alone
  // takes longer than the longest tick on a real cloud.
  return Math.min(longestTickMs, 2 * pace.lastWaitMs);
}

/**
 * How much longer Nova's landing grew per millisecond of acceptance between the first landing and
 * the newest: more sent than Nova lands queue behind one another. Never negative (while the host
 * still sends, a shorter landing is the jitter of Nova's queue, and looks made early for it cost
 * Nova requests; a queue that drains once every evacuation is started is left to nextLookInMs) nor
 * above one (Nova landing nothing at all).
 */
function growthOf(landings: { first: TimedLanding; newest: TimedLanding }, intervalMs: number) {
  const { first, newest } = landings;
  const spanMs = newest.acceptedAt - first.acceptedAt;
  if (spanMs < GROWTH_SPAN_IN_INTERVALS * intervalMs) return 0;
  return Math.min(1, Math.max(0, (newest.landingMs - first.landingMs) / spanMs));
}

/** When LANDINGS_PER_LOOK of the watched evacuations (or all, if fewer) can have landed. */
function dueAt(
  acceptedAt: readonly number[],
  newest: TimedLanding,
  growth: number,
): number | undefined {
  const sorted = [...acceptedAt].sort((a, b) => a - b);
  const nth = sorted[Math.min(LANDINGS_PER_LOOK, sorted.length) - 1];
  if (nth === undefined) return undefined;
  return nth + newest.landingMs + growth * Math.max(0, nth - newest.acceptedAt);
}
