import { describe, expect, it } from 'vitest';
import {
  BENCH_FIGURES,
  describeDuration,
  estimateRecovery,
} from '../../../domain/recovery-estimate.ts';

describe('estimateRecovery', () => {
  it("gives back the bench's own single-host recoveries from its figures, within a second and a half", () => {
    // bench/results/2026-12-08.md: Lazarus RTO at 1x10, 1x100 and 1x400.
    for (const [instances, measured] of [
      [10, 30.56],
      [100, 121.84],
      [400, 420.01],
    ] as const)
      expect(Math.abs(estimateRecovery(instances, BENCH_FIGURES).seconds - measured)).toBeLessThan(
        1.5,
      );
  });

  it('is fencing alone when nothing is to be evacuated, and says what it is based on', () => {
    expect(estimateRecovery(0, BENCH_FIGURES)).toEqual({ seconds: 4, basis: BENCH_FIGURES.basis });
  });
});

describe('describeDuration', () => {
  it('reads in seconds below a minute, in minutes and seconds above', () => {
    expect(describeDuration(42)).toBe('42 s');
    expect(describeDuration(120)).toBe('2 min');
    expect(describeDuration(422)).toBe('7 min 2 s');
  });
});
