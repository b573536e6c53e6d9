// A simulated cloud for one scenario run: the failed hosts first, spare hosts after them, Nova's
// capacity of NOVA_CAPACITY, every latency of LATENCIES applied (Nova and Keystone through latency faults on every request, the
// BMCs of the failed hosts through their response latency), Nova answering like Zed (2.93).
import { startBmcFleet } from '../simulator/bmc/index.ts';
import type { Simulator } from '../simulator/simulator.ts';
import { startSimulator } from '../simulator/simulator.ts';
import type { Scenario } from './scenarios.ts';
import { LATENCIES, NOVA_CAPACITY } from './scenarios.ts';

export interface EvacuateAccepted {
  instance: string;
  sourceHost: string;
  at: number;
}

export interface BenchCloud {
  sim: Simulator;
  failedHosts: string[];
  /** Every evacuate Nova accepted, in order, at wall-clock milliseconds. */
  evacuatesAccepted(): EvacuateAccepted[];
  stop(): Promise<void>;
}

export async function startBenchCloud(scenario: Scenario, timeScale: number): Promise<BenchCloud> {
  const sim = await startSimulator({
    hosts: scenario.failedHosts,
    instancesPerHost: scenario.instancesPerHost,
    spareHosts: scenario.spareHosts,
    seed: 1,
    timeScale,
    novaMaxMicroversion: 93,
    timing: {
      schedulingMs: LATENCIES.schedulingMs,
      schedulingConcurrency: NOVA_CAPACITY.schedulingConcurrency,
      rebuildMs: LATENCIES.rebuildMs,
    },
    startBmcFleet,
    bmc: { ipmiHosts: 0, powerTransitionMs: LATENCIES.powerOffMs },
  });
  sim.addFault({
    service: 'nova',
    endpoint: '*',
    fault: { kind: 'latency', ms: LATENCIES.novaApiMs },
  });
  sim.addFault({
    service: 'nova',
    endpoint: 'POST /servers/{id}/action',
    action: 'evacuate',
    fault: { kind: 'latency', ms: LATENCIES.evacuateApiMs - LATENCIES.novaApiMs },
  });
  sim.addFault({
    service: 'keystone',
    endpoint: '*',
    fault: { kind: 'latency', ms: LATENCIES.keystoneMs },
  });
  const failedHosts = sim
    .state()
    .hosts.slice(0, scenario.failedHosts)
    .map((host) => host.name);
  for (const host of failedHosts) sim.setBmcFaults(host, { latencyMs: LATENCIES.bmcResponseMs });
  return {
    sim,
    failedHosts,
    evacuatesAccepted: () =>
      sim
        .ledger()
        .flatMap((entry) =>
          entry.kind === 'evacuate'
            ? [{ instance: entry.instance, sourceHost: entry.sourceHost, at: Date.parse(entry.at) }]
            : [],
        ),
    stop: () => sim.stop(),
  };
}

/** Fails every failed host of the scenario by power loss; returns the moment, the report's time. */
export function failHosts(cloud: BenchCloud): number {
  for (const host of cloud.failedHosts) cloud.sim.failHost(host, 'power-loss');
  return Date.now();
}
