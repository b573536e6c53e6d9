// How many of a host's evacuations may be in Nova at once: its landings a second times Nova's time
// alone plus the queue wait allowed, once its landings give a rate.
import { describe, expect, it } from 'vitest';
import type { NovaLanding } from '../../../domain/nova-queue.ts';
import { LANDINGS_PER_LOOK } from '../../../domain/landing-pace.ts';
import {
  FEWEST_LANDINGS_FOR_A_RATE,
  RATE_SAMPLE_LANDINGS,
  inFlightBound,
  withLanding,
} from '../../../domain/nova-queue.ts';

const paceOf = (landings: readonly NovaLanding[]) =>
  landings.reduce<ReturnType<typeof withLanding> | undefined>(withLanding, undefined);
/** One landing a second from 100 s on, each taking `landingMs`. */
const everySecond = (count: number, landingMs = 20_000): NovaLanding[] =>
  Array.from({ length: count }, (_, index) => ({ landedAt: 100_000 + index * 1_000, landingMs }));

describe('the bound by Nova’s queue', () => {
  it('does not bound a host before its landings give a rate', () => {
    expect(inFlightBound(undefined, 30_000)).toBe(Infinity);
    expect(FEWEST_LANDINGS_FOR_A_RATE).toBe(3);
    expect(inFlightBound(paceOf(everySecond(2)), 30_000)).toBe(Infinity);
    const together = [1, 2, 3].map(() => ({ landedAt: 100_000, landingMs: 5_000 }));
    expect(inFlightBound(paceOf(together), 30_000)).toBe(Infinity);
  });

  it('keeps in flight the host’s landings a second times Nova’s time alone plus the wait allowed, and one look’s landings', () => {
    expect(LANDINGS_PER_LOOK).toBe(5);
    // One landing a second, the shortest in 4 s: 4 + 30 s of landings.
    const landings = [...everySecond(5, 20_000), { landedAt: 105_000, landingMs: 4_000 }];
    expect(inFlightBound(paceOf(landings), 30_000)).toBe(34 + 5);
    // One every 20 s (20 hosts sharing that Nova): under 2, so 2.
    const sparse = [0, 1, 2].map((index) => ({ landedAt: index * 20_000, landingMs: 16_000 }));
    expect(inFlightBound(paceOf(sparse), 20_000)).toBe(2 + 5);
  });

  it('keeps a look’s landings in flight however slowly Nova lands', () => {
    const slow = [0, 1, 2].map((index) => ({ landedAt: index * 600_000, landingMs: 1_000 }));
    expect(inFlightBound(paceOf(slow), 1_000)).toBe(1 + 5);
  });

  it('reads the rate from the newest landings by Nova’s clock, whatever order they were seen in', () => {
    // Slow at first (one every 10 s), then one a second: the newest ten say one a second.
    const early = [0, 1, 2, 3, 4].map((index) => ({ landedAt: index * 10_000, landingMs: 9_000 }));
    const pace = paceOf([...everySecond(RATE_SAMPLE_LANDINGS, 9_000)].reverse().concat(early));
    expect(pace?.recent).toHaveLength(RATE_SAMPLE_LANDINGS);
    expect(pace?.recent.map((landing) => landing.landedAt)).toEqual(
      everySecond(RATE_SAMPLE_LANDINGS).map((landing) => landing.landedAt),
    );
    expect(inFlightBound(pace, 21_000)).toBe(30 + 5);
  });
});
