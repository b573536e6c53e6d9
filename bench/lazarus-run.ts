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
import { DEFAULT_CAPACITY_RECHECK_MS } from '../domain/capacity.ts';
import {
  DEFAULT_EVACUATION_CONCURRENCY,
  DEFAULT_LANDING_CHECK_INTERVAL_MS,
  DEFAULT_MAX_EVACUATIONS_IN_FLIGHT,
} from '../domain/evacuation-policy.ts';
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
import { cpuSeconds, peakRssKb } from './process-usage.ts';
import type { EvacuationTimes, Profile } from './profile.ts';
import { profileOf } from './profile.ts';
import type { Scenario } from './scenarios.ts';
import {
  EVACUATE_CALLS_PER_CLOUD_SECOND,
  EVERY_INSTANCE,
  LAZARUS_TIME_SCALE,
} from './scenarios.ts';

/** Milliseconds of the cloud (LAZARUS_TIME_SCALE); resources are real. */
export interface LazarusRun extends RecoveryTimes {
  outcomes: Record<string, number>;
  /** Instances evacuated (neither skipped nor left unstarted). */
  instances: number;
  /** Summed over the worker processes (a killed one as it was when killed). */
  workerPeakRssKb: number | undefined;
  /** User and system CPU of the worker processes from the report to the end, summed. */
  workerCpuSeconds: number | undefined;
  serverPeakRssKb: number | undefined;
  historyEventsPerIncident: number;
  historyBytesPerIncident: number;
  /** Requests Nova received during the recovery, per instance evacuated. */
  novaRequestsPerInstance: number;
  /** The same requests by method and route (`GET os-migrations`), per instance evacuated. */
  novaRequestsByKind: Record<string, number>;
  /** From the simulator's ledger: the most evacuates Nova accepted for one instance, and the invariants it saw broken. */
  exactlyOnce: { maxEvacuatesPerInstance: number; violations: string[] };
  /** When a worker was SIGKILLed, from the report; absent when none was. */
  workerKilledAtMs?: number;
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

export interface LazarusRunOptions {
  cliPath: string;
  workDir: string;
  /** SIGKILL the first worker process once Nova accepted half of the scenario's evacuates. */
  killsWorkerMidEvacuation?: boolean;
  /** How many times faster than real time the cloud runs (LAZARUS_TIME_SCALE unless said). */
  timeScale?: number;
}

export async function runLazarus(
  scenario: Scenario,
  options: LazarusRunOptions,
): Promise<LazarusRun> {
  const timeScale = options.timeScale ?? LAZARUS_TIME_SCALE;
  const settings = {
    ...options,
    timeScale,
    evacuateCallsPerSecond: EVACUATE_CALLS_PER_CLOUD_SECOND * timeScale,
  };
  return withLazarus(scenario, settings, async ({ client, cloud, server, workers }) => {
    const usage = new WorkerUsage(workers);
    await usage.start();
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
                // As lazarus.yaml's defaults give every report's incident; the watch's shortest
                // wait is meant for a real Nova, so it is scaled with the cloud.
                evacuationConcurrency: DEFAULT_EVACUATION_CONCURRENCY,
                maxEvacuationsInFlight: DEFAULT_MAX_EVACUATIONS_IN_FLIGHT,
                landingCheckIntervalMs: DEFAULT_LANDING_CHECK_INTERVAL_MS / timeScale,
                capacityRecheckIntervalMs: DEFAULT_CAPACITY_RECHECK_MS / timeScale,
                isAdmissionRequired: false,
              },
            ),
          },
        ),
      ),
    );
    const killedAt =
      options.killsWorkerMidEvacuation === true
        ? await killOnceHalfAccepted(cloud, scenario, usage)
        : undefined;
    const states = await Promise.all(handles.map(waitUntilEvacuationsEnded));
    const { peakRssKb: workerPeakRssKb, cpuSeconds: workerCpuSeconds } = await usage.end();
    const serverPeakRssKb = await peakRssKb(server.process);
    return {
      ...(await measure(client, cloud, states, handles, { reportedAt, timeScale })),
      workerPeakRssKb,
      workerCpuSeconds,
      serverPeakRssKb,
      ...(killedAt === undefined ? {} : { workerKilledAtMs: (killedAt - reportedAt) * timeScale }),
    };
  });
}

/** Once Nova accepted half of the scenario's evacuates, SIGKILLs the first worker; when it did. */
async function killOnceHalfAccepted(
  cloud: BenchCloud,
  scenario: Scenario,
  usage: WorkerUsage,
): Promise<number> {
  const half = (scenario.failedHosts * scenario.instancesPerHost) / 2;
  await pollUntil(
    'half of the evacuates to be accepted',
    () => (cloud.evacuatesAccepted().length >= half ? true : undefined),
    { timeoutMs: 900_000, intervalMs: 20 },
  );
  await usage.kill(0);
  return Date.now();
}

/**
 * The worker processes' CPU from the report on and their peak memory; a worker killed on purpose
 * is read just before it dies.
 */
class WorkerUsage {
  readonly #cpuAtStart: (number | undefined)[] = [];
  readonly #final = new Map<number, { cpu: number | undefined; rss: number | undefined }>();

  constructor(private readonly workers: readonly GuardedProcess[]) {}

  async start(): Promise<void> {
    for (const worker of this.workers) this.#cpuAtStart.push(await cpuSeconds(worker));
  }

  async kill(index: number): Promise<void> {
    const worker = this.workers[index];
    if (worker === undefined) throw new Error(`there is no worker ${index + 1} to kill`);
    this.#final.set(index, { cpu: await cpuSeconds(worker), rss: await peakRssKb(worker) });
    await worker.kill();
  }

  async end(): Promise<{ peakRssKb: number | undefined; cpuSeconds: number | undefined }> {
    const readings = await Promise.all(
      this.workers.map(
        async (worker, index) =>
          this.#final.get(index) ?? { cpu: await cpuSeconds(worker), rss: await peakRssKb(worker) },
      ),
    );
    return {
      peakRssKb: sumOrUndefined(readings.map((reading) => reading.rss)),
      cpuSeconds: sumOrUndefined(
        readings.map((reading, index) => {
          const before = this.#cpuAtStart[index];
          return reading.cpu === undefined || before === undefined
            ? undefined
            : reading.cpu - before;
        }),
      ),
    };
  }
}

function sumOrUndefined(values: readonly (number | undefined)[]): number | undefined {
  let sum = 0;
  for (const value of values) {
    if (value === undefined) return undefined;
    sum += value;
  }
  return sum;
}

/** What a bench run drives: a fresh dev server, the worker processes, a client. */
export interface WorkerParts {
  server: DevServer;
  workers: GuardedProcess[];
  client: Client;
}

/** What a bench run on the simulator drives: the workers' parts and the scenario's cloud. */
export interface LazarusParts extends WorkerParts {
  cloud: BenchCloud;
}

/**
 * Runs `body` with a fresh dev server, `workers` worker processes (`npm run worker`'s entry point)
 * on one task queue, each started with `configPath` and `env` and serving its task queue, and a
 * client; stops them all after.
 */
export async function withWorkers<T>(
  options: {
    cliPath: string;
    workDir: string;
    configPath: string;
    env: NodeJS.ProcessEnv;
    workers: number;
  },
  body: (parts: WorkerParts) => Promise<T>,
): Promise<T> {
  await mkdir(options.workDir, { recursive: true });
  const server = await startDevServer({
    cliPath: options.cliPath,
    ui: false,
    logFile: join(options.workDir, 'temporal.log'),
  });
  try {
    const env = {
      ...options.env,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
    };
    const workers = await Promise.all(
      Array.from({ length: options.workers }, (_, index) =>
        startWorker(options.configPath, env, join(options.workDir, `worker-${index + 1}.log`)),
      ),
    );
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        const client = new Client({ connection, namespace: server.namespace });
        return await body({ server, workers, client });
      } finally {
        await connection.close();
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  } finally {
    await server.stop();
  }
}

/**
 * Runs `body` with Lazarus on a fresh cloud of `scenario`: the scenario's worker processes (one
 * unless it says) on one task queue, each with the same lazarus.yaml written for the simulator
 * (evacuate calls limited to `evacuateCallsPerSecond` if given, which the server enforces across
 * workers; Lazarus's default otherwise), their dev server and a client; stops them all after. The
 * cloud runs in real time unless `timeScale` says how many times faster.
 */
export async function withLazarus<T>(
  scenario: Scenario,
  options: {
    cliPath: string;
    workDir: string;
    evacuateCallsPerSecond?: number;
    timeScale?: number;
  },
  body: (parts: LazarusParts) => Promise<T>,
): Promise<T> {
  await mkdir(options.workDir, { recursive: true });
  const cloud = await startBenchCloud(scenario, options.timeScale ?? 1);
  try {
    const config = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: cloud.sim.cloudsYamlPath, bmcs: cloud.sim.bmcs },
      join(options.workDir, 'config'),
    );
    if (options.evacuateCallsPerSecond !== undefined)
      await limitEvacuateCalls(config.configPath, options.evacuateCallsPerSecond);
    return await withWorkers(
      {
        cliPath: options.cliPath,
        workDir: options.workDir,
        configPath: config.configPath,
        env: { ...process.env, ...config.env },
        workers: scenario.workers ?? 1,
      },
      (parts) => body({ ...parts, cloud }),
    );
  } finally {
    await cloud.stop();
  }
}

async function limitEvacuateCalls(configPath: string, perSecond: number): Promise<void> {
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
  historySize: number;
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
      historySize: described.historySize ?? Number.NaN,
    };
  });
}

async function measure(
  client: Client,
  cloud: BenchCloud,
  states: IncidentState[],
  handles: WorkflowHandleWithSignaledRunId[],
  { reportedAt, timeScale }: { reportedAt: number; timeScale: number },
): Promise<
  Omit<LazarusRun, 'workerPeakRssKb' | 'workerCpuSeconds' | 'serverPeakRssKb' | 'workerKilledAtMs'>
> {
  const children = await evacuationWorkflows(client, states);
  // Before the bench's own reads below.
  const novaRequests = cloud.sim.novaRequests();
  const novaRequestsByKind = cloud.sim.novaRequestsByKind();
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
    timeScale,
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
  const historyTotal = (field: (run: { historyLength: number; historySize?: number }) => number) =>
    incidents.reduce((sum, incident) => sum + field(incident), 0) +
    children.reduce((sum, child) => sum + field(child), 0);
  const evacuatesPerInstance = new Map<string, number>();
  for (const evacuate of evacuates)
    evacuatesPerInstance.set(
      evacuate.instance,
      (evacuatesPerInstance.get(evacuate.instance) ?? 0) + 1,
    );
  return {
    ...times,
    outcomes,
    instances: children.length,
    historyEventsPerIncident: historyTotal((run) => run.historyLength) / handles.length,
    historyBytesPerIncident: historyTotal((run) => run.historySize ?? Number.NaN) / handles.length,
    novaRequestsPerInstance: novaRequests / Math.max(1, children.length),
    novaRequestsByKind: Object.fromEntries(
      Object.entries(novaRequestsByKind).map(([kind, count]) => [
        kind,
        count / Math.max(1, children.length),
      ]),
    ),
    exactlyOnce: {
      maxEvacuatesPerInstance: Math.max(0, ...evacuatesPerInstance.values()),
      violations: cloud.sim.invariants().violations.map(String),
    },
    profile: profileOf(timeScale, {
      reportedAt,
      incidentsStartedAt: incidents.map((incident) => incident.startTime.getTime()),
      fencingProofsAt: states.map((state) => Date.parse(state.fencing.proof?.readAt ?? 'no proof')),
      evacuations,
    }),
  };
}
