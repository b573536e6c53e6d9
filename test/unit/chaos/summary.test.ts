// The campaign's summary adds up what every run did and names the seeds that broke an invariant.
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../../chaos/run-once.ts';
import { formatSummary, summarize } from '../../../chaos/summary.ts';

function run(seed: number, overrides: Partial<RunReport>): RunReport {
  return {
    seed,
    workerKills: 0,
    boundaryKills: 0,
    unexpectedWorkerExits: 0,
    serverKills: 0,
    faults: {},
    recovered: 0,
    failedVisibly: 0,
    violations: [],
    durationMs: 0,
    timeline: [],
    ...overrides,
  };
}

describe('summarize', () => {
  it('adds up kills, faults by kind, recoveries and violations, and names the failing seeds', () => {
    const summary = summarize(
      [
        run(7, {
          workerKills: 3,
          boundaryKills: 1,
          serverKills: 1,
          unexpectedWorkerExits: 1,
          faults: { 'nova-5xx': 1, 'bmc-lying': 1 },
          recovered: 5,
        }),
        run(8, {
          workerKills: 2,
          faults: { 'nova-5xx': 2 },
          recovered: 4,
          failedVisibly: 1,
          violations: [{ invariant: 'I2', message: 'two evacuations' }],
        }),
      ],
      90_000,
    );
    expect(summary).toEqual({
      runs: 2,
      workerKills: 5,
      boundaryKills: 1,
      serverKills: 1,
      unexpectedWorkerExits: 1,
      faults: { 'nova-5xx': 3, 'bmc-lying': 1 },
      recovered: 9,
      failedVisibly: 1,
      violations: 1,
      failingSeeds: [8],
      wallTimeMs: 90_000,
    });
    expect(formatSummary(summary)).toContain('| 2 | 5 (1) | 1 | 1 | 4 | 9 | 1 | 1 | 1.5 min |');
    expect(formatSummary(summary)).toContain('| nova-5xx | 3 |');
  });
});
