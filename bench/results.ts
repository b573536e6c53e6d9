// What a bench run produced, as the report and the chart read it.
import type { BaselineRun } from './baselines/run-baseline.ts';
import type { Timeline } from './physical-limit.ts';
import type { LazarusRun } from './lazarus-run.ts';
import type { Machine } from './machine.ts';
import type { CrashScenario, Scenario } from './scenarios.ts';
import {
  DEFAULT_EVACUATION_CONCURRENCY,
  DEFAULT_MAX_EVACUATIONS_IN_FLIGHT,
} from '../domain/evacuation-policy.ts';
import {
  BASELINE_TIME_SCALES,
  EVACUATE_CALLS_PER_CLOUD_SECOND,
  LATENCIES,
  LAZARUS_TIME_SCALE,
  NOVA_CAPACITY,
} from './scenarios.ts';
import { medianOf } from './statistics.ts';

export interface ScenarioResult {
  scenario: Scenario;
  /** Simulated milliseconds: Nova's capacity alone, no orchestrator's throttle. */
  limit: Timeline;
  lazarus: LazarusRun[];
  masakari: BaselineRun[];
  pacemaker: BaselineRun[];
}

/** The crash scenario's repeats: each run once as is and once with a worker SIGKILLed mid-evacuation. */
export interface CrashResult {
  crash: CrashScenario;
  undisturbed: LazarusRun[];
  killed: LazarusRun[];
}

export interface BenchResults {
  date: string;
  machine: Machine;
  repeats: number;
  durationMs: number;
  /** 1-minute load average when the last run ended. */
  loadAtEnd: number;
  settings: {
    latencies: typeof LATENCIES;
    novaCapacity: typeof NOVA_CAPACITY;
    evacuationConcurrency: number;
    evacuateCallsPerSecond: number;
    maxEvacuationsInFlight: number;
    lazarusTimeScale: number;
    baselineTimeScales: typeof BASELINE_TIME_SCALES;
  };
  scenarios: ScenarioResult[];
  crashes: CrashResult[];
}

export const CURRENT_SETTINGS: BenchResults['settings'] = {
  latencies: LATENCIES,
  novaCapacity: NOVA_CAPACITY,
  evacuationConcurrency: DEFAULT_EVACUATION_CONCURRENCY,
  evacuateCallsPerSecond: EVACUATE_CALLS_PER_CLOUD_SECOND,
  maxEvacuationsInFlight: DEFAULT_MAX_EVACUATIONS_IN_FLIGHT,
  lazarusTimeScale: LAZARUS_TIME_SCALE,
  baselineTimeScales: BASELINE_TIME_SCALES,
};

/** Medians, in seconds of each procedure's cloud. */
export interface Headline {
  name: string;
  lazarusRtoS: number;
  limitRtoS: number;
  /** Lazarus's RTO beyond the physical limit. */
  overheadS: number;
  /** The same, as a fraction of the limit. */
  overLimit: number;
  masakariRtoS: number;
  pacemakerRtoS: number;
}

export function headlineOf(result: ScenarioResult): Headline {
  const lazarusRtoS = medianOf(result.lazarus, (run) => run.rtoMs) / 1000;
  const limitRtoS = result.limit.rtoMs / 1000;
  return {
    name: result.scenario.name,
    lazarusRtoS,
    limitRtoS,
    overheadS: lazarusRtoS - limitRtoS,
    overLimit: lazarusRtoS / limitRtoS - 1,
    masakariRtoS: medianOf(result.masakari, (run) => run.rtoMs) / 1000,
    pacemakerRtoS: medianOf(result.pacemaker, (run) => run.rtoMs) / 1000,
  };
}
