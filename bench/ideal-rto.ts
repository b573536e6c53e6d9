// The fastest recovery the simulated cloud allows for the same latencies and limits: what an
// orchestrator that adds nothing of its own would achieve. Simulated milliseconds from the report.
import type { CloudLatencies, Scenario } from './scenarios.ts';

export interface Timeline {
  fencingProofMs: number;
  firstEvacuateMs: number;
  /** The last instance landed and seen landed. */
  rtoMs: number;
}

/**
 * One ForceOff answered after the BMC's latency, one read that finds Off the moment the transition
 * ends; one PUT forcing the service down; the instance list read while fencing (it needs no proof);
 * then waves of `concurrency` evacuations, each the evacuate request, scheduling and rebuild, its
 * landing read the moment it happens. Failed hosts recover in parallel, with no global limit.
 */
export function idealTimeline(scenario: Scenario, latencies: CloudLatencies, concurrency: number): Timeline {
  const fencingProofMs = latencies.bmcResponseMs + latencies.powerOffMs;
  const forcedDownMs = fencingProofMs + latencies.novaApiMs;
  const waves = Math.ceil(scenario.instancesPerHost / concurrency);
  return {
    fencingProofMs,
    firstEvacuateMs: forcedDownMs + latencies.evacuateApiMs,
    rtoMs: forcedDownMs + waves * (latencies.evacuateApiMs + latencies.schedulingMs + latencies.rebuildMs),
  };
}

/** Simulated milliseconds as real milliseconds at `timeScale`. */
export function toReal(timeline: Timeline, timeScale: number): Timeline {
  return { fencingProofMs: timeline.fencingProofMs / timeScale, firstEvacuateMs: timeline.firstEvacuateMs / timeScale, rtoMs: timeline.rtoMs / timeScale };
}
