// One run of Lazarus on a fresh simulated cloud of the scenario: a fresh Temporal dev server, the
// worker *process* (`npm run worker`'s entry point) with a lazarus.yaml written for the simulator,
// every failed host reported by signal-with-start, and the figures read from the cloud's records,
// the incidents' state and the evacuation workflows' start and close times.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { parseDocument } from 'yaml';
import type { WorkflowHandle, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { DEFAULT_LANDING_CHECK_INTERVAL_MS } from '../domain/evacuation-policy.ts';
import { spawnGuarded } from '../infra/process/guarded-process.ts';
import type { GuardedProcess } from '../infra/process/guarded-process.ts';
import { writeLazarusConfigForSimulator } from '../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { startDevServer } from '../infra/temporal/dev-server.ts';
import type { DevServer } from '../infra/temporal/dev-server.ts';
import { cloudName } from '../simulator/clouds-yaml.ts';
import { pollUntil } from '../lib/poll-until.ts';
import { DEFAULT_TASK_QUEUE } from '../apps/worker/create-worker.ts';
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import { evacuationWorkflowId } from '../contracts/evacuation-messages.ts';
import type { IncidentPhase, IncidentState } from '../contracts/incident-messages.ts';
import { stateQuery } from '../contracts/incident-messages.ts';
import { reportHostFailure } from '../contracts/incident-start.ts';
import type { incidentWorkflow } from '../workflows/incident-workflow.ts';
import { LazarusPhase } from '../contracts/search-attributes.ts';
import { landingsInNova, openNovaSession } from './baselines/cloud-client.ts';
import type { BenchCloud } from './bench-cloud.ts';
import { failHosts, startBenchCloud } from './bench-cloud.ts';
import type { RecoveryTimes } from './measurements.ts';
import { recoveryTimes } from './measurements.ts';
import { peakRssKb } from './process-memory.ts';
import type { EvacuationTimes, Profile } from './profile.ts';
import { profileOf } from './profile.ts';
import type { Scenario } from './scenarios.ts';
import {
  EVACUATE_CALLS_PER_SECOND,
  EVERY_INSTANCE,
  LAZARUS_CONCURRENCY,
  TIME_SCALE,
} from './scenarios.ts';

/** Real milliseconds. */
export interface LazarusRun extends RecoveryTimes {
  outcomes: Record<string, number>;
  workerPeakRssKb: number | undefined;
  serverPeakRssKb: number | undefined;
  historyEventsPerIncident: number;
  /** Requests Nova received during the recovery, per instance evacuated. */
  novaRequestsPerInstance: number;
  profile: Profile;
}

const WORKER_ENTRY = fileURLToPath(new URL('../apps/worker/worker.ts', import.meta.url));
/** Phases in which the incident still has evacuations to start or finish. */
const BEFORE_THE_END: ReadonlySet<string> = new Set<IncidentPhase>([
  'Corroborating',
  'Admitting',
  'AwaitingApproval',
  'Fencing',
  'ForcingDown',
  'Selecting',
  'Evacuating',
]);
const TERMINAL_OUTCOMES: ReadonlySet<string> = new Set([
  'landed',
  'alreadyEvacuated',
  'failed',
  'skipped',
  'notStarted',
]);

export async function runLazarus(
  scenario: Scenario,
  options: { cliPath: string; workDir: string },
): Promise<LazarusRun> {
  return withLazarus(scenario, options, async ({ client, cloud, server, worker }) => {
    const reportedAt = failHosts(cloud);
    const handles = await Promise.all(
      cloud.failedHosts.map((host) =>
        client.workflow.signalWithStart<typeof incidentWorkflow, [{ reporter: string }]>(
          'incidentWorkflow',
          {
            taskQueue: DEFAULT_TASK_QUEUE,
            ...reportHostFailure(
              { host, reporter: 'bench' },
              {
                policy: EVERY_INSTANCE,
                evacuationConcurrency: LAZARUS_CONCURRENCY,
                // Its default, meant for a real Nova: scaled with the simulated one, like the evacuate rate.
                landingCheckIntervalMs: DEFAULT_LANDING_CHECK_INTERVAL_MS / TIME_SCALE,
                isAdmissionRequired: false,
              },
            ),
          },
        ),
      ),
    );
    const states = await Promise.all(handles.map(waitUntilEvacuationsEnded));
    const workerPeakRssKb = await peakRssKb(worker);
    const serverPeakRssKb = await peakRssKb(server.process);
    return {
      ...(await measure(client, cloud, states, handles, reportedAt)),
      workerPeakRssKb,
      serverPeakRssKb,
    };
  });
}

/** What a bench run drives: a fresh dev server, the worker process, a client. */
export interface WorkerParts {
  server: DevServer;
  worker: GuardedProcess;
  client: Client;
}

/** What a bench run on the simulator drives: the worker's parts and the scenario's cloud. */
export interface LazarusParts extends WorkerParts {
  cloud: BenchCloud;
}

/**
 * Runs `body` with a fresh dev server, the worker process (`npm run worker`'s entry point) started
 * with `configPath` and `env` once it serves its task queue, and a client; stops them all after.
 */
export async function withWorker<T>(
  options: { cliPath: string; workDir: string; configPath: string; env: NodeJS.ProcessEnv },
  body: (parts: WorkerParts) => Promise<T>,
): Promise<T> {
  await mkdir(options.workDir, { recursive: true });
  const server = await startDevServer({
    cliPath: options.cliPath,
    ui: false,
    logFile: join(options.workDir, 'temporal.log'),
  });
  try {
    const worker = await startWorker(
      options.configPath,
      { ...options.env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace },
      join(options.workDir, 'worker.log'),
    );
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        return await body({
          server,
          worker,
          client: new Client({ connection, namespace: server.namespace }),
        });
      } finally {
        await connection.close();
      }
    } finally {
      await worker.stop();
    }
  } finally {
    await server.stop();
  }
}

/**
 * Runs `body` with Lazarus on a fresh cloud of `scenario`: the worker with a lazarus.yaml written
 * for the simulator (evacuate calls limited to `evacuateCallsPerSecond`, by default the scaled real
 * limit), its dev server and a client; stops them all after.
 */
export async function withLazarus<T>(
  scenario: Scenario,
  options: { cliPath: string; workDir: string; evacuateCallsPerSecond?: number },
  body: (parts: LazarusParts) => Promise<T>,
): Promise<T> {
  await mkdir(options.workDir, { recursive: true });
  const cloud = await startBenchCloud(scenario, TIME_SCALE);
  try {
    const config = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: cloud.sim.cloudsYamlPath, bmcs: cloud.sim.bmcs },
      join(options.workDir, 'config'),
    );
    await limitEvacuateCalls(config.configPath, options.evacuateCallsPerSecond);
    return await withWorker(
      {
        cliPath: options.cliPath,
        workDir: options.workDir,
        configPath: config.configPath,
        env: { ...process.env, ...config.env },
      },
      (parts) => body({ ...parts, cloud }),
    );
  } finally {
    await cloud.stop();
  }
}

/** The global evacuate rate is meant for a real Nova: scaled with the simulated one. */
async function limitEvacuateCalls(
  configPath: string,
  perSecond = EVACUATE_CALLS_PER_SECOND * TIME_SCALE,
): Promise<void> {
  const document = parseDocument(await readFile(configPath, 'utf8'));
  document.setIn(['temporal', 'evacuateCallsPerSecond'], perSecond);
  await writeFile(configPath, document.toString());
}

async function startWorker(
  configPath: string,
  env: NodeJS.ProcessEnv,
  logFile: string,
): Promise<GuardedProcess> {
  const worker = spawnGuarded(
    process.execPath,
    ['--import', 'tsx', WORKER_ENTRY, '--config', configPath],
    { logFile, graceMs: 10_000, env },
  );
  await pollUntil(
    'the worker to serve its task queue',
    () => {
      if (worker.hasExited())
        throw new Error(`the Lazarus worker exited during start-up:\n${worker.outputTail()}`);
      return worker.outputTail(200).includes('serving task queue') ? true : undefined;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 100,
      onTimeout: () => `the Lazarus worker did not start within 2 minutes:\n${worker.outputTail()}`,
    },
  );
  return worker;
}

/** Reads the phase from the server (a search attribute), so the wait costs the worker nothing until the end. */
export async function waitUntilEvacuationsEnded(handle: WorkflowHandle): Promise<IncidentState> {
  return pollUntil(
    `${handle.workflowId} to end its evacuations`,
    async () => {
      const described = await handle.describe();
      const phase = described.typedSearchAttributes.get(LazarusPhase);
      if (phase === 'FencingUnproven')
        throw new Error(`${handle.workflowId} could not prove fencing; see the worker log`);
      if (described.status.name === 'RUNNING' && (phase === undefined || BEFORE_THE_END.has(phase)))
        return undefined;
      const state = await handle.query(stateQuery);
      return state.instances.every((row) => TERMINAL_OUTCOMES.has(row.progress.outcome))
        ? state
        : undefined;
    },
    { timeoutMs: 900_000, intervalMs: 250 },
  );
}

export interface EvacuationWorkflow {
  instanceId: string;
  startedAt: number;
  /** When it closed, its landing verified (NaN while open). */
  closedAt: number;
  historyLength: number;
}

/** The evacuation workflows of every instance the incidents tried to evacuate, described by the server. */
export function evacuationWorkflows(
  client: Client,
  states: readonly IncidentState[],
): Promise<EvacuationWorkflow[]> {
  const evacuated = states.flatMap((state) =>
    state.instances
      .filter((row) => row.progress.outcome !== 'skipped' && row.progress.outcome !== 'notStarted')
      .map((row) => ({ incidentId: state.incidentId, instanceId: row.instanceId })),
  );
  return mapWithConcurrency(evacuated, 8, async ({ incidentId, instanceId }) => {
    const described = await client.workflow
      .getHandle(evacuationWorkflowId(incidentId, instanceId))
      .describe();
    return {
      instanceId,
      startedAt: described.startTime.getTime(),
      closedAt: described.closeTime?.getTime() ?? Number.NaN,
      historyLength: described.historyLength,
    };
  });
}

async function measure(
  client: Client,
  cloud: BenchCloud,
  states: IncidentState[],
  handles: WorkflowHandleWithSignaledRunId[],
  reportedAt: number,
): Promise<Omit<LazarusRun, 'workerPeakRssKb' | 'serverPeakRssKb'>> {
  const children = await evacuationWorkflows(client, states);
  // Before the bench's own reads below.
  const novaRequests = cloud.sim.novaRequests();
  // The run that fenced and evacuated, not the one it continued as while waiting for re-admission.
  const incidents = await Promise.all(
    handles.map((handle) =>
      client.workflow.getHandle(handle.workflowId, handle.signaledRunId).describe(),
    ),
  );
  const nova = await openNovaSession(cloud.sim, '2.53');
  const landings = await landingsInNova(nova);
  const evacuates = cloud.evacuatesAccepted();
  const times = recoveryTimes(
    {
      reportedAt,
      evacuates,
      landings,
      fencingProofsAt: states.map((state) => Date.parse(state.fencing.proof?.readAt ?? 'no proof')),
      recoveredAt: Math.max(...children.map((child) => child.closedAt)),
    },
    1,
  );
  const outcomes: Record<string, number> = {};
  for (const row of states.flatMap((state) => state.instances))
    outcomes[row.progress.outcome] = (outcomes[row.progress.outcome] ?? 0) + 1;
  const accepted = new Map(evacuates.map((evacuate) => [evacuate.instance, evacuate.at]));
  const evacuations: EvacuationTimes[] = children.map((child) => ({
    startedAt: child.startedAt,
    acceptedAt: accepted.get(child.instanceId) ?? Number.NaN,
    landedAt: landings.get(child.instanceId) ?? Number.NaN,
    closedAt: child.closedAt,
  }));
  const historyEvents =
    incidents.reduce((sum, incident) => sum + incident.historyLength, 0) +
    children.reduce((sum, child) => sum + child.historyLength, 0);
  return {
    ...times,
    outcomes,
    historyEventsPerIncident: historyEvents / handles.length,
    novaRequestsPerInstance: novaRequests / Math.max(1, children.length),
    profile: profileOf({
      reportedAt,
      incidentsStartedAt: incidents.map((incident) => incident.startTime.getTime()),
      fencingProofsAt: states.map((state) => Date.parse(state.fencing.proof?.readAt ?? 'no proof')),
      evacuations,
    }),
  };
}
