// A simulated cloud with BMCs per describe block, and the incident activities built against it the
// way the worker builds them: Nova from clouds.yaml, fence drivers from a BMC inventory whose
// passwords are referenced, not inlined.
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, expect } from 'vitest';
import type { BmcEntry, PduEntry } from '../../../../activities/fencing/index.ts';
import { createActivities } from '../../../../activities/index.ts';
import type { Activities } from '../../../../activities/index.ts';
import type { IncidentDependencies, NovaProvider } from '../../../../activities/incident/index.ts';
import type { PduInventoryView } from '../../../../activities/incident/incident-dependencies.ts';
import {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
  NOVA_REPORT_INTERVAL_MS,
  systemClock,
} from '../../../../activities/incident/index.ts';
import type { NovaClient } from '../../../../activities/openstack/index.ts';
import type { StormGuardLimits } from '../../../../contracts/storm-guard-messages.ts';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import { cloudName } from '../../../../simulator/clouds-yaml.ts';
import type { Simulator, SimulatorOptions } from '../../../../simulator/simulator.ts';
import { startSimulator } from '../../../../simulator/simulator.ts';
import { passwordInEnvironment, settings } from '../fencing/fencing-fixtures.ts';
import type { CapturedLogs } from '../openstack/cloud.ts';
import { captureLogs } from '../openstack/cloud.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';

/** Simulated time runs this much faster: Nova's 60 s service_down_time takes 60 ms. */
export const TIME_SCALE = 1000;

export interface IncidentCloud {
  sim: Simulator;
  activities: Activities;
  /** What the activities were built from, for a worker that builds its own. */
  dependencies: IncidentDependencies;
  /** Lazarus's own Nova client, for what a human or a test does besides the activities. */
  nova: NovaClient;
  logLines: string[];
}

/** Hosts with an IPMI BMC are fenced over IPMI, the others over Redfish. */
function inventoryOf(sim: Simulator): { bmcFor: (host: string) => BmcEntry | undefined } {
  return {
    bmcFor: (host) => {
      const endpoints = sim.bmcs[host];
      if (endpoints === undefined) return undefined;
      const { ipmi, redfish } = endpoints;
      if (ipmi !== undefined) {
        return {
          protocol: 'ipmi',
          address: ipmi.host,
          port: ipmi.port,
          username: ipmi.username,
          cipherSuite: 3,
          password: passwordInEnvironment(ipmi.password),
        };
      }
      return {
        protocol: 'redfish',
        address: redfish.url,
        username: redfish.username,
        auth: 'session',
        password: passwordInEnvironment(redfish.password),
      };
    },
  };
}

/** The simulator's rack PDU, when it was started with one, as every host's second fencing level. */
function pdusOf(sim: Simulator): PduInventoryView {
  const pdu = sim.pdu?.endpoint;
  if (pdu === undefined) return { outletsFor: () => [] };
  const entry: PduEntry = {
    name: 'pdu-sim',
    protocol: 'redfish-pdu',
    address: pdu.url,
    username: pdu.username,
    password: passwordInEnvironment(pdu.password),
    auth: 'session',
    rackPduId: pdu.rackPduId,
  };
  return {
    outletsFor: (host) => {
      const outletIds = pdu.outlets[host];
      return outletIds === undefined ? [] : [{ pdu: entry, outletIds }];
    },
  };
}

/**
 * Test files share one fleet across their scenarios, whose failed hosts stay down: the storm guard
 * of a scenario that is not about it must not hold its incident for that.
 */
const WIDE_BLAST_RADIUS: StormGuardLimits = {
  maxIncidents: 100,
  maxFractionDown: 1,
  windowMs: 60_000,
};

/** The activities' dependencies pointed at the simulator; Nova connects on first use. */
export function incidentDependencies(
  sim: Simulator,
  logs: CapturedLogs,
  stormGuardLimits = WIDE_BLAST_RADIUS,
): IncidentDependencies {
  return {
    stormGuardLimits,
    nova: connectNovaOnFirstUse({
      env: { OS_CLIENT_CONFIG_FILE: sim.cloudsYamlPath },
      cloud: cloudName,
      logger: logs.logger,
    }),
    fencing: fenceDriversFromInventory(
      inventoryOf(sim),
      settings(),
      (message) => logs.lines.push(message),
      pdusOf(sim),
    ),
    clock: systemClock,
    reportIntervalMs: NOVA_REPORT_INTERVAL_MS / TIME_SCALE,
  };
}

/** `ipmiHosts` first hosts get an IPMI BMC (an ipmi_sim each); none by default. */
export function useIncidentCloud(
  options: Partial<SimulatorOptions> & {
    ipmiHosts?: number;
    stormGuardLimits?: StormGuardLimits;
  } = {},
): () => IncidentCloud {
  const { ipmiHosts = 0, stormGuardLimits, ...simulatorOptions } = options;
  let cloud: IncidentCloud | undefined;
  let nova: NovaProvider | undefined;
  beforeAll(async () => {
    const sim = await startSimulator({
      hosts: 3,
      instancesPerHost: 4,
      timeScale: TIME_SCALE,
      startBmcFleet,
      bmc: { ipmiHosts, tls: false },
      ...simulatorOptions,
    });
    const logs = captureLogs();
    const dependencies = incidentDependencies(sim, logs, stormGuardLimits);
    nova = dependencies.nova;
    const activities = createActivities({ taskQueue: 'incident-activities-test', ...dependencies });
    cloud = { sim, activities, dependencies, nova: await nova.client(), logLines: logs.lines };
  });
  afterAll(async () => {
    await nova?.close();
    await cloud?.sim.stop();
  });
  return () => {
    if (cloud === undefined) throw new Error('the simulated cloud is not started yet');
    return cloud;
  };
}

/** The ApplicationFailure an activity threw, checked for its type and retryability. */
export async function expectFailure(
  promise: Promise<unknown>,
  type: string,
  isRetryable: boolean,
): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect({ type: failure.type, nonRetryable: failure.nonRetryable }).toEqual({
    type,
    nonRetryable: !isRetryable,
  });
  return failure;
}

/** Polls until `check` returns a value, a few ms apart; the simulator's time is scaled, so this is short. */
export function until<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  return pollUntil(what, check, { timeoutMs, intervalMs: 10 });
}

export const entriesOf = <K extends ReturnType<Simulator['ledger']>[number]['kind']>(
  sim: Simulator,
  kind: K,
) =>
  sim.ledger().filter((entry): entry is Extract<typeof entry, { kind: K }> => entry.kind === kind);

/** What the incident does before evacuating: the host fails, is fenced and forced down. Its instances, and when the incident began. */
export async function fencedAndForcedDown(
  cloud: IncidentCloud,
  host: string,
  mode: 'power-loss' | 'compute-crash' = 'power-loss',
) {
  const incidentStartedAt = new Date().toISOString();
  cloud.sim.failHost(host, mode);
  const proof = await cloud.activities.fenceHost(host);
  await cloud.activities.forceDownComputeService(
    host,
    { incidentId: `incident/${host}`, startedAt: incidentStartedAt },
    proof,
  );
  return { incidentStartedAt, instances: await cloud.activities.listInstancesOnHost(host, []) };
}

export const evacuatesOf = (sim: Simulator, instanceId: string) =>
  entriesOf(sim, 'evacuate').filter((e) => e.instance === instanceId);
