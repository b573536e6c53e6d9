// When the landing watch looks next: when the watched evacuations can have landed, once Nova has
// landed one of the host's; backing off while nothing lands before that, or once they are late.
import { describe, expect, it } from 'vitest';
import type { LandingPace } from '../../../domain/landing-pace.ts';
import {
  LANDINGS_PER_LOOK,
  LONGEST_DUE_WAIT_IN_INTERVALS,
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
  landingMs: undefined,
  now: 100_000,
  ...changes,
});

describe('the landing watch’s pace', () => {
  it('before any landing, looks again after one interval when something landed, and doubles the wait up to the longest when nothing did, whatever started', () => {
    expect(nextLookInMs(pace({ sawLanding: true, lastWaitMs: 4_000 }))).toBe(INTERVAL_MS);
    expect(nextLookInMs(pace({ acceptedAt: [99_000, 99_500], lastWaitMs: 1_000 }))).toBe(2_000);
    expect(nextLookInMs(pace({ lastWaitMs: 2_000 }))).toBe(4_000);
    expect(nextLookInMs(pace({ lastWaitMs: LONGEST_MS }))).toBe(LONGEST_MS);
  });

  it('once a landing took landingMs, waits until LANDINGS_PER_LOOK of the watched evacuations can have landed', () => {
    // Accepted 20 s, 16 s, 12 s and 8 s ago; landings take 17 s: the third is due in 5 s.
    const acceptedAt = [80_000, 84_000, 88_000, 92_000];
    expect(LANDINGS_PER_LOOK).toBe(3);
    expect(nextLookInMs(pace({ acceptedAt, landingMs: 17_000, sawLanding: true }))).toBe(5_000);
  });

  it('waits until all can have landed when fewer are watched, the last of the host', () => {
    expect(nextLookInMs(pace({ acceptedAt: [95_000, 90_000], landingMs: 7_500 }))).toBe(2_500);
  });

  it('waits for a due at least one interval and at most the longest due wait, past the longest tick', () => {
    expect(nextLookInMs(pace({ acceptedAt: [99_900, 99_950, 99_990], landingMs: 200 }))).toBe(
      INTERVAL_MS,
    );
    expect(nextLookInMs(pace({ acceptedAt: [99_000], landingMs: 30_000 }))).toBe(29_000);
    expect(nextLookInMs(pace({ acceptedAt: [99_000], landingMs: 600_000 }))).toBe(
      LONGEST_DUE_WAIT_IN_INTERVALS * INTERVAL_MS,
    );
  });

  it('backs off from evacuations later than their due unless the look saw one land', () => {
    const late = { acceptedAt: [60_000, 61_000, 62_000], landingMs: 17_000 };
    expect(nextLookInMs(pace({ ...late, lastWaitMs: 2_000 }))).toBe(4_000);
    expect(nextLookInMs(pace({ ...late, lastWaitMs: LONGEST_MS }))).toBe(LONGEST_MS);
    expect(nextLookInMs(pace({ ...late, sawLanding: true, lastWaitMs: 2_000 }))).toBe(INTERVAL_MS);
  });
});
