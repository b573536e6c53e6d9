// The bench's figures of scale and of a crash: CPU time read from /proc, resources per 1,000
// instances, what a second worker adds, and what a worker killed mid-evacuation adds to the RTO.
import { describe, expect, it } from 'vitest';
import type { LazarusRun } from '../../../bench/lazarus-run.ts';
import { cpuTicksOf } from '../../../bench/process-usage.ts';
import type { ScenarioResult } from '../../../bench/results.ts';
import {
  crashFigures,
  perThousandInstances,
  resourcesPerThousand,
  workerScaling,
} from '../../../bench/scale-figures.ts';

/** The fields of a LazarusRun these figures read; the rest is never looked at. */
const run = (fields: Partial<LazarusRun>): LazarusRun =>
  ({
    rtoMs: 10_000,
    instances: 100,
    evacuateCallsPerSecond: 20,
    exactlyOnce: { maxEvacuatesPerInstance: 1, violations: [] },
    ...fields,
  }) as LazarusRun;

const scenario = (name: string, workers?: number): ScenarioResult['scenario'] => ({
  name,
  failedHosts: 5,
  instancesPerHost: 50,
  spareHosts: 3,
  ...(workers === undefined ? {} : { workers }),
});

const result = (name: string, lazarus: LazarusRun[], workers?: number): ScenarioResult =>
  ({ scenario: scenario(name, workers), lazarus }) as ScenarioResult;

describe('CPU time from /proc/<pid>/stat', () => {
  it('adds utime and stime, reading past a command name with spaces and parentheses', () => {
    const stat =
      '4242 (node (lazarus) w) S 4241 4242 4241 0 -1 4194560 1234 0 0 0 350 125 0 0 20 0 11 0 987 1200000000 40000';
    expect(cpuTicksOf(stat)).toBe(475);
  });
});

describe('resources per 1,000 instances', () => {
  it('scales a figure to 1,000 instances, and says nothing for an unknown one or no instances', () => {
    expect(perThousandInstances(12, 400)).toBe(30);
    expect(perThousandInstances(undefined, 400)).toBeNaN();
    expect(perThousandInstances(12, 0)).toBeNaN();
  });

  it('takes the median over repeats of CPU seconds and peak memory per 1,000 instances', () => {
    const runs = [
      run({ workerCpuSeconds: 10, workerPeakRssKb: 300_000 }),
      run({ workerCpuSeconds: 20, workerPeakRssKb: 200_000 }),
      run({ workerCpuSeconds: 30, workerPeakRssKb: 400_000 }),
    ];
    expect(resourcesPerThousand(runs)).toEqual({ cpuSeconds: 200, peakRssKb: 3_000_000 });
  });
});

describe('one worker process or two', () => {
  it('pairs each scenario with its -2w variant and compares their evacuate rates', () => {
    const results = [
      result('1x100', [run({})]),
      result('5x50', [run({ rtoMs: 12_000, evacuateCallsPerSecond: 20 })]),
      result('5x50-2w', [run({ rtoMs: 8_000, evacuateCallsPerSecond: 30 })], 2),
    ];
    expect(workerScaling(results)).toEqual([
      {
        name: '5x50',
        one: { rtoS: 12, evacuatesPerSecond: 20 },
        two: { rtoS: 8, evacuatesPerSecond: 30 },
        throughputRatio: 1.5,
      },
    ]);
  });
});

describe('a worker killed mid-evacuation', () => {
  it('adds the median RTO with the kill over the one without, and gathers the ledger of every killed repeat', () => {
    const figures = crashFigures({
      crash: { name: '1x100-crash', scenario: scenario('1x100-2w', 2) },
      undisturbed: [run({ rtoMs: 6_000 }), run({ rtoMs: 7_000 }), run({ rtoMs: 5_000 })],
      killed: [
        run({ rtoMs: 15_000, workerKilledAtMs: 3_000 }),
        run({
          rtoMs: 21_000,
          workerKilledAtMs: 3_200,
          exactlyOnce: { maxEvacuatesPerInstance: 2, violations: ['I2: two evacuates'] },
        }),
        run({ rtoMs: 14_000, workerKilledAtMs: 2_800 }),
      ],
    });
    expect(figures).toEqual({
      name: '1x100-crash',
      rtoAsIsS: 6,
      rtoKilledS: 15,
      addedS: 9,
      killedAtS: 3,
      isGoalMet: true,
      maxEvacuatesPerInstance: 2,
      violations: ['I2: two evacuates'],
    });
  });
});
