// The fastest recovery the simulated cloud allows: Nova's capacity alone, with no orchestrator's
// throttle at all, what every procedure's RTO is measured against. Simulated milliseconds from the
// report.
import type { CloudLatencies, Scenario } from './scenarios.ts';

export interface Timeline {
  fencingProofMs: number;
  /** The slowest host's first evacuate accepted. */
  firstEvacuateMs: number;
  /** The last instance landed and seen landed. */
  rtoMs: number;
}

/**
 * The scenario's hosts lost their power, so their BMCs read Off at once: one ForceOff answered
 * after the BMC's latency and one read that finds Off; one PUT forcing the service down; then every evacuate of every host sent the
 * moment its host is forced down, accepted after the API's latency, taken by the conductor and scheduler
 * `schedulingConcurrency` at a time in order, and rebuilt on its destination, rebuilds in parallel.
 */
export function physicalLimit(
  scenario: Scenario,
  latencies: CloudLatencies,
  capacity: { schedulingConcurrency: number },
): Timeline {
  const fencingProofMs = 2 * latencies.bmcResponseMs;
  const acceptedMs = fencingProofMs + latencies.novaApiMs + latencies.evacuateApiMs;
  const evacuations = scenario.failedHosts * scenario.instancesPerHost;
  const turns = Math.ceil(evacuations / Math.min(evacuations, capacity.schedulingConcurrency));
  return {
    fencingProofMs,
    firstEvacuateMs: acceptedMs,
    rtoMs: acceptedMs + turns * latencies.schedulingMs + latencies.rebuildMs,
  };
}
