// Pure figures of scale and of a crash: resources per 1,000 instances, what a second worker process
// adds, and what a worker SIGKILLed mid-evacuation adds to the RTO (docs/design.md#a-worker-dying-mid-evacuation).
import type { LazarusRun } from './lazarus-run.ts';
import type { CrashResult, ScenarioResult } from './results.ts';
import { withWorkersName } from './scenarios.ts';
import { medianOf } from './statistics.ts';

/** The goal of issue 17: a worker SIGKILLed mid-evacuation adds at most this to the RTO. */
export const CRASH_ADDED_RTO_GOAL_S = 10;

/** `value` per 1,000 evacuated instances; NaN when unknown. */
export function perThousandInstances(value: number | undefined, instances: number): number {
  return value === undefined || instances === 0 ? Number.NaN : (value / instances) * 1000;
}

/** Medians over repeats of what the worker processes used, per 1,000 instances. */
export function resourcesPerThousand(runs: readonly LazarusRun[]): {
  cpuSeconds: number;
  peakRssKb: number;
} {
  return {
    cpuSeconds: medianOf(runs, (run) => perThousandInstances(run.workerCpuSeconds, run.instances)),
    peakRssKb: medianOf(runs, (run) => perThousandInstances(run.workerPeakRssKb, run.instances)),
  };
}

export interface WorkerScaling {
  name: string;
  /** Median RTO in real seconds and evacuates accepted per second, with one worker and with two. */
  one: { rtoS: number; evacuatesPerSecond: number };
  two: { rtoS: number; evacuatesPerSecond: number };
  /** Evacuates per second with two workers over those with one. */
  throughputRatio: number;
}

/** Every scenario run both with one worker and as its `-2w` variant, side by side. */
export function workerScaling(results: readonly ScenarioResult[]): WorkerScaling[] {
  const figures = (result: ScenarioResult) => ({
    rtoS: medianOf(result.lazarus, (run) => run.rtoMs) / 1000,
    evacuatesPerSecond: medianOf(result.lazarus, (run) => run.evacuateCallsPerSecond),
  });
  return results.flatMap((one) => {
    if ((one.scenario.workers ?? 1) !== 1) return [];
    const two = results.find((r) => r.scenario.name === withWorkersName(one.scenario.name, 2));
    if (two === undefined) return [];
    const [a, b] = [figures(one), figures(two)];
    return [
      {
        name: one.scenario.name,
        one: a,
        two: b,
        throughputRatio: b.evacuatesPerSecond / a.evacuatesPerSecond,
      },
    ];
  });
}

export interface CrashFigures {
  name: string;
  /** Medians, real seconds. */
  rtoAsIsS: number;
  rtoKilledS: number;
  addedS: number;
  killedAtS: number;
  isGoalMet: boolean;
  /** Over every killed repeat: the most evacuates Nova accepted for one instance, and the ledger's violations. */
  maxEvacuatesPerInstance: number;
  violations: string[];
}

export function crashFigures(result: CrashResult): CrashFigures {
  const rtoAsIsS = medianOf(result.undisturbed, (run) => run.rtoMs) / 1000;
  const rtoKilledS = medianOf(result.killed, (run) => run.rtoMs) / 1000;
  const addedS = rtoKilledS - rtoAsIsS;
  return {
    name: result.crash.name,
    rtoAsIsS,
    rtoKilledS,
    addedS,
    killedAtS: medianOf(result.killed, (run) => run.workerKilledAtMs ?? Number.NaN) / 1000,
    isGoalMet: addedS <= CRASH_ADDED_RTO_GOAL_S,
    maxEvacuatesPerInstance: Math.max(
      0,
      ...result.killed.map((run) => run.exactlyOnce.maxEvacuatesPerInstance),
    ),
    violations: result.killed.flatMap((run) => run.exactlyOnce.violations),
  };
}
