// The figures of `npm run bench:nova-capacity`: per-level summaries and the control plane they
// describe. Synthetic timings; the real ones come from the real-Nova tier.
import { describe, expect, it } from 'vitest';
import {
  capacityReport,
  fitControlPlane,
  quantile,
  summarizeLevel,
} from '../../../bench/nova-capacity-figures.ts';

/** `count` evacuations sent `gapMs` apart, each accepted after `acceptMs` and landed after `landMs`. */
function evacuations(count: number, gapMs: number, acceptMs: number, landMs: number) {
  return Array.from({ length: count }, (_, i) => ({
    sentAt: 1_000 + i * gapMs,
    acceptedAt: 1_000 + i * gapMs + acceptMs,
    landedAt: 1_000 + i * gapMs + landMs,
  }));
}

describe('nova capacity figures', () => {
  it('takes the nearest-rank quantile', () => {
    expect(quantile([5, 1, 4, 2, 3], 0.95)).toBe(5);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(() => quantile([], 0.5)).toThrow('no values');
  });

  it('summarizes a level: accept and land latencies, and landings per second over the whole span', () => {
    // One at a time: each sent as the previous landed, 2 s apart, accepted in 0.2 s.
    expect(summarizeLevel(1, evacuations(4, 2_000, 200, 2_000))).toEqual({
      level: 1,
      evacuations: 4,
      acceptMedianMs: 200,
      acceptP95Ms: 200,
      landMedianMs: 2_000,
      landP95Ms: 2_000,
      perSecond: 0.5,
    });
  });

  it('fits the control plane from the level alone and the highest throughput (Little’s law)', () => {
    const alone = summarizeLevel(1, evacuations(4, 2_000, 200, 2_000));
    // Sixteen in flight: sent together, landing at 4 per second.
    const crowded = summarizeLevel(
      16,
      Array.from({ length: 16 }, (_, i) => ({
        sentAt: 0,
        acceptedAt: 300,
        landedAt: 250 * (i + 1),
      })),
    );
    expect(fitControlPlane([crowded, alone])).toEqual({
      acceptMs: 200,
      workMs: 1_800,
      concurrent: 7,
      perSecond: 4,
    });
  });

  it('writes a table per level and the fitted control plane', () => {
    const report = capacityReport({
      date: '2026-12-07',
      machine: {
        cpuModel: 'test CPU',
        cores: 2,
        memoryGiB: 24,
        node: 'v20',
        loadAtStart: 0.5,
      },
      servers: 4,
      levels: [summarizeLevel(1, evacuations(4, 2_000, 200, 2_000))],
    });
    expect(report).toContain('| 1 | 4 | 0.20 | 0.20 | 2.00 | 2.00 | 0.50 |');
    expect(report).toContain(
      'conductor, scheduler and compute then take 1.80 s per evacuation alone',
    );
  });
});
