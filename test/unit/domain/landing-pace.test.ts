// When the landing watch looks next: when the watched evacuations can have landed, once Nova has
// landed one of the host's; backing off while nothing lands before that, or once they are late.
import { describe, expect, it } from 'vitest';
import type { LandingPace, TimedLanding } from '../../../domain/landing-pace.ts';
import {
  GROWTH_SPAN_IN_INTERVALS,
  LANDINGS_PER_LOOK,
  LONGEST_DUE_WAIT_IN_INTERVALS,
  LONGEST_LAST_WAIT_IN_INTERVALS,
  LONGEST_TICK_IN_INTERVALS,
  nextLookInMs,
} from '../../../domain/landing-pace.ts';

const INTERVAL_MS = 1_000;
const LONGEST_MS = LONGEST_TICK_IN_INTERVALS * INTERVAL_MS;

const pace = (changes: Partial<LandingPace>): LandingPace => ({
  intervalMs: INTERVAL_MS,
  lastWaitMs: INTERVAL_MS,
  sawLanding: false,
  acceptedAt: [],
  landings: undefined,
  isEveryEvacuationStarted: false,
  now: 100_000,
  ...changes,
});
/** One landing seen, accepted long before the watched ones: Nova's landing time alone. */
const landedIn = (landingMs: number): LandingPace['landings'] => {
  const landing: TimedLanding = { acceptedAt: 10_000, landingMs };
  return { first: landing, newest: landing };
};

describe('the landing watch’s pace', () => {
  it('before any landing, looks again after one interval when something landed, and doubles the wait up to the longest when nothing did, whatever started', () => {
    expect(nextLookInMs(pace({ sawLanding: true, lastWaitMs: 4_000 }))).toBe(INTERVAL_MS);
    expect(nextLookInMs(pace({ acceptedAt: [99_000, 99_500], lastWaitMs: 1_000 }))).toBe(2_000);
    expect(nextLookInMs(pace({ lastWaitMs: 2_000 }))).toBe(4_000);
    expect(nextLookInMs(pace({ lastWaitMs: LONGEST_MS }))).toBe(LONGEST_MS);
  });

  it('once a landing took landingMs, waits until LANDINGS_PER_LOOK of the watched evacuations can have landed', () => {
    // Accepted 20 s to 2 s ago; landings take 17 s: the fifth is due in 13 s.
    const acceptedAt = [80_000, 84_000, 88_000, 92_000, 96_000, 98_000];
    expect(LANDINGS_PER_LOOK).toBe(5);
    expect(nextLookInMs(pace({ acceptedAt, landings: landedIn(17_000), sawLanding: true }))).toBe(
      13_000,
    );
  });

  it('waits until all can have landed when fewer are watched, the last of the host', () => {
    const last = { acceptedAt: [95_000, 90_000], landings: landedIn(7_500) };
    expect(nextLookInMs(pace(last))).toBe(2_500);
    expect(nextLookInMs(pace({ ...last, isEveryEvacuationStarted: true }))).toBe(2_500);
  });

  it('looks at the host’s last evacuations at least every LONGEST_LAST_WAIT_IN_INTERVALS', () => {
    const far = { acceptedAt: [99_000], landings: landedIn(30_000) };
    expect(nextLookInMs(pace(far))).toBe(29_000);
    expect(nextLookInMs(pace({ ...far, isEveryEvacuationStarted: true }))).toBe(
      LONGEST_LAST_WAIT_IN_INTERVALS * INTERVAL_MS,
    );
  });

  it('waits for a due at least one interval and at most the longest due wait, past the longest tick', () => {
    expect(
      nextLookInMs(pace({ acceptedAt: [99_900, 99_950, 99_990], landings: landedIn(200) })),
    ).toBe(INTERVAL_MS);
    expect(nextLookInMs(pace({ acceptedAt: [99_000], landings: landedIn(30_000) }))).toBe(29_000);
    expect(nextLookInMs(pace({ acceptedAt: [99_000], landings: landedIn(600_000) }))).toBe(
      LONGEST_DUE_WAIT_IN_INTERVALS * INTERVAL_MS,
    );
  });

  it('adds the growth of Nova’s landing time since the first landing while the host has evacuations to start', () => {
    // Landing took 10 s for the first, accepted at 0 s, and 30 s for the newest, accepted at 40 s:
    // half a millisecond more per millisecond of acceptance. The fifth watched, accepted at 58 s,
    // is due at 58 + 30 + 9 = 97 s, not 88 s.
    const landings = {
      first: { acceptedAt: 0, landingMs: 10_000 },
      newest: { acceptedAt: 40_000, landingMs: 30_000 },
    };
    const acceptedAt = [50_000, 52_000, 54_000, 56_000, 58_000, 60_000];
    expect(nextLookInMs(pace({ acceptedAt, landings, now: 80_000 }))).toBe(17_000);
    // Every one started: Nova's queue drains behind them, no growth (the fifth is due at 88 s).
    expect(
      nextLookInMs(pace({ acceptedAt, landings, isEveryEvacuationStarted: true, now: 80_000 })),
    ).toBe(8_000);
    // The host's last: the recovery ends with them, no growth: the fifth, accepted at 60 s, is due
    // at 90 s, not 100 s.
    const lastFive = acceptedAt.slice(1);
    expect(
      nextLookInMs(
        pace({ acceptedAt: lastFive, landings, isEveryEvacuationStarted: true, now: 80_000 }),
      ),
    ).toBe(10_000);
  });

  it('counts no growth between landings accepted closer than GROWTH_SPAN_IN_INTERVALS', () => {
    const span = GROWTH_SPAN_IN_INTERVALS * INTERVAL_MS;
    const landings = {
      first: { acceptedAt: 0, landingMs: 10_000 },
      newest: { acceptedAt: span - 1, landingMs: 20_000 },
    };
    expect(nextLookInMs(pace({ acceptedAt: [span], landings, now: span }))).toBe(20_000);
  });

  it('backs off from evacuations later than their due unless the look saw one land', () => {
    const late = { acceptedAt: [60_000, 61_000, 62_000], landings: landedIn(17_000) };
    expect(nextLookInMs(pace({ ...late, lastWaitMs: 2_000 }))).toBe(4_000);
    expect(nextLookInMs(pace({ ...late, lastWaitMs: LONGEST_MS }))).toBe(LONGEST_MS);
    expect(nextLookInMs(pace({ ...late, sawLanding: true, lastWaitMs: 2_000 }))).toBe(INTERVAL_MS);
  });

  it('looks for the host’s last evacuations, once later than due, within half the delay so far', () => {
    // Due at 62 + 17 = 79 s.
    const last = {
      acceptedAt: [60_000, 61_000, 62_000],
      landings: landedIn(17_000),
      isEveryEvacuationStarted: true,
      lastWaitMs: LONGEST_MS,
    };
    expect(nextLookInMs(pace({ ...last, now: 79_500 }))).toBe(INTERVAL_MS);
    expect(nextLookInMs(pace({ ...last, now: 85_000 }))).toBe(3_000);
    expect(nextLookInMs(pace({ ...last, now: 100_000 }))).toBe(LONGEST_MS);
  });
});
