// Builds a Lazarus worker: the workflows bundle from workflows/ and the activities from activities/,
// plus a second worker, on a task queue of its own, that only sends evacuate calls. Temporal
// enforces that queue's rate limit across every worker of the deployment, so the cloud sees at
// most `evacuateCallsPerSecond` evacuate requests however many incidents run at once.
import { fileURLToPath } from 'node:url';
import type { DataConverter, WorkerDeploymentVersion } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type {
  NativeConnection,
  State,
  WorkerInterceptors,
  WorkflowBundleOption,
} from '@temporalio/worker';
import type { IncidentDependencies } from '../../activities/incident/index.ts';
import { createActivities } from '../../activities/index.ts';
import { evacuateCallsTaskQueue } from '../../contracts/evacuation-messages.ts';

export const DEFAULT_TASK_QUEUE = 'lazarus';

/** Nova's API handles this many evacuate requests a second from Lazarus, across all its workers. */
export const DEFAULT_EVACUATE_CALLS_PER_SECOND = 5;

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface LazarusWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  /** Nova, the BMCs and the clock the activities use. */
  dependencies: IncidentDependencies;
  /** Activities running at once; each holds at most one Nova or BMC conversation. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflow executions kept in memory between tasks. */
  maxCachedWorkflows?: number;
  /** How long running activities may take to finish once shutdown was requested. */
  shutdownGraceTimeMs?: number;
  /** Evacuate requests a second to Nova from the whole deployment (Temporal's task-queue rate limit). */
  evacuateCallsPerSecond?: number;
  /** A bundle built beforehand (tests, the chaos harness) instead of bundling workflows/ at start. */
  workflowBundle?: WorkflowBundleOption;
  interceptors?: WorkerInterceptors;
  /** Payload conversion: lazarus.yaml's payload encryption (client/payload-encryption/), else the default. */
  dataConverter?: DataConverter;
  /**
   * Declares this worker a version of a worker deployment: it then gets tasks only once that version
   * is current (docs/operations.md#upgrades). Absent, the worker is unversioned and takes any task.
   */
  version?: WorkerDeploymentVersion;
}

/**
 * Short, because a run whose cached worker died waits this long; not shorter, because a busy
 * worker's own sticky task that waits longer is replayed from its whole history by another worker.
 */
export const STICKY_QUEUE_SCHEDULE_TO_START_TIMEOUT = '3 seconds';

/** The worker's two halves, run and stopped together. */
export interface LazarusWorker {
  run(): Promise<void>;
  /** Runs until `work` settles, then shuts down and resolves (or rejects) as `work` did. */
  runUntil<T>(work: Promise<T>): Promise<T>;
  shutdown(): void;
  /** Each half's task queue and SDK state (`RUNNING` while it polls), for the health endpoint. */
  states(): Readonly<Record<string, State>>;
}

/**
 * How long running activities may take to finish once shutdown was requested: long enough for a
 * fencing attempt in flight to end with its proof or its FencingUnproven. A supervisor must wait
 * longer than this before it kills the worker (infra/deploy/: TimeoutStopSec,
 * terminationGracePeriodSeconds).
 */
export function shutdownGraceMsOf(fencing: {
  powerOffTimeoutMs: number;
  requestTimeoutMs: number;
}): number {
  return fencing.powerOffTimeoutMs + 2 * fencing.requestTimeoutMs;
}

export async function createLazarusWorker(options: LazarusWorkerOptions): Promise<LazarusWorker> {
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  const activities = createActivities({ taskQueue, ...options.dependencies });
  const shared = {
    connection: options.connection,
    namespace: options.namespace,
    ...(options.shutdownGraceTimeMs === undefined
      ? {}
      : { shutdownGraceTime: options.shutdownGraceTimeMs }),
    ...(options.interceptors === undefined ? {} : { interceptors: options.interceptors }),
    // Both halves: evacuateInstance's input and result cross the wire like every other payload.
    ...(options.dataConverter === undefined ? {} : { dataConverter: options.dataConverter }),
    // Both halves declare the version, so both queues belong to the deployment and move to a new
    // build together. AUTO_UPGRADE: an incident can wait days for re-admission, and pinned it would
    // keep its old build that long (docs/operations.md#why-auto-upgrade).
    ...(options.version === undefined
      ? {}
      : {
          workerDeploymentOptions: {
            useWorkerVersioning: true,
            version: options.version,
            defaultVersioningBehavior: 'AUTO_UPGRADE',
          } as const,
        }),
  };
  const workflows = await Worker.create({
    ...shared,
    taskQueue,
    // A workflow task waits this long on the sticky queue of the worker that has the run cached
    // before any worker may take it: after that worker died (SIGKILL, its machine gone) every run
    // it had cached stalls that long, 10 s by default (docs/design.md#a-worker-dying-mid-evacuation).
    stickyQueueScheduleToStartTimeout: STICKY_QUEUE_SCHEDULE_TO_START_TIMEOUT,
    ...(options.workflowBundle === undefined
      ? { workflowsPath: WORKFLOWS_PATH }
      : { workflowBundle: options.workflowBundle }),
    activities,
    ...(options.maxConcurrentActivityTaskExecutions === undefined
      ? {}
      : { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }),
    ...(options.maxCachedWorkflows === undefined
      ? {}
      : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
  const evacuateCalls = await Worker.create({
    ...shared,
    taskQueue: evacuateCallsTaskQueue(taskQueue),
    activities: { evacuateInstance: activities.evacuateInstance },
    maxTaskQueueActivitiesPerSecond:
      options.evacuateCallsPerSecond ?? DEFAULT_EVACUATE_CALLS_PER_SECOND,
  });
  const shutdown = (): void => {
    for (const worker of [workflows, evacuateCalls])
      if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    // Either half stopping (a shutdown, a fatal error) stops the other: no half-worker keeps polling.
    run: async () => {
      await Promise.all([workflows.run().finally(shutdown), evacuateCalls.run().finally(shutdown)]);
    },
    runUntil: async (work) =>
      (await Promise.all([workflows.runUntil(work), evacuateCalls.runUntil(work)]))[0],
    shutdown,
    states: () => ({
      [taskQueue]: workflows.getState(),
      [evacuateCallsTaskQueue(taskQueue)]: evacuateCalls.getState(),
    }),
  };
}
