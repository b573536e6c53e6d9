// The fastest recoveries the simulated cloud allows. The ideal: Lazarus's own limits (per-host
// concurrency, evacuate rate) with nothing else added. The physical limit: Nova's capacity alone,
// with no orchestrator's throttle at all. Simulated milliseconds from the report.
import type { CloudLatencies, Scenario } from './scenarios.ts';

export interface Timeline {
  fencingProofMs: number;
  /** The slowest host's first evacuate accepted. */
  firstEvacuateMs: number;
  /** The last instance landed and seen landed. */
  rtoMs: number;
}

export interface RecoveryLimits {
  /** Evacuations of one host at once. */
  concurrency: number;
  /** Evacuate requests per simulated second, all hosts together. */
  evacuateCallsPerSecond: number;
}

/**
 * One ForceOff answered after the BMC's latency and one read that finds Off the moment the
 * transition ends; one PUT forcing the service down; the instance list read while fencing (it
 * needs no proof). Then every host keeps `concurrency` evacuations going, each the evacuate
 * request, scheduling and rebuild, its landing read the moment it happens, while evacuate
 * requests of all hosts together start no closer than the rate allows, hosts taking turns.
 */
export function idealTimeline(
  scenario: Scenario,
  latencies: CloudLatencies,
  limits: RecoveryLimits,
): Timeline {
  const fencingProofMs = latencies.bmcResponseMs + latencies.powerOffMs;
  const forcedDownMs = fencingProofMs + latencies.novaApiMs;
  const evacuationMs = latencies.evacuateApiMs + latencies.schedulingMs + latencies.rebuildMs;
  const spacingMs = 1000 / limits.evacuateCallsPerSecond;
  const hosts = Array.from({ length: scenario.failedHosts }, () => ({
    slots: Array.from(
      { length: Math.min(limits.concurrency, scenario.instancesPerHost) },
      () => forcedDownMs,
    ),
    left: scenario.instancesPerHost,
    firstStart: Number.NaN,
  }));
  let nextCallAt = forcedDownMs;
  let rtoMs = forcedDownMs;
  for (let started = 0; started < scenario.failedHosts * scenario.instancesPerHost; started += 1) {
    // The host whose slot frees first; among equals, the one with the most left (turns).
    const host = hosts
      .filter((h) => h.left > 0)
      .reduce((a, b) => {
        const freeA = Math.min(...a.slots);
        const freeB = Math.min(...b.slots);
        return freeB < freeA || (freeB === freeA && b.left > a.left) ? b : a;
      });
    const slot = host.slots.indexOf(Math.min(...host.slots));
    const startMs = Math.max(host.slots[slot] ?? forcedDownMs, nextCallAt);
    if (Number.isNaN(host.firstStart)) host.firstStart = startMs;
    host.slots[slot] = startMs + evacuationMs;
    host.left -= 1;
    nextCallAt = startMs + spacingMs;
    rtoMs = Math.max(rtoMs, startMs + evacuationMs);
  }
  return {
    fencingProofMs,
    firstEvacuateMs: Math.max(...hosts.map((h) => h.firstStart)) + latencies.evacuateApiMs,
    rtoMs,
  };
}

/**
 * Fencing and force-down as in the ideal; then every evacuate of every host sent the moment its
 * host is forced down, accepted after the API's latency, taken by the conductor and scheduler
 * `schedulingConcurrency` at a time in order, and rebuilt on its destination, rebuilds in parallel.
 */
export function physicalLimit(
  scenario: Scenario,
  latencies: CloudLatencies,
  capacity: { schedulingConcurrency: number },
): Timeline {
  const fencingProofMs = latencies.bmcResponseMs + latencies.powerOffMs;
  const acceptedMs = fencingProofMs + latencies.novaApiMs + latencies.evacuateApiMs;
  const evacuations = scenario.failedHosts * scenario.instancesPerHost;
  const turns = Math.ceil(evacuations / Math.min(evacuations, capacity.schedulingConcurrency));
  return {
    fencingProofMs,
    firstEvacuateMs: acceptedMs,
    rtoMs: acceptedMs + turns * latencies.schedulingMs + latencies.rebuildMs,
  };
}
