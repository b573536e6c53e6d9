// Builds a Lazarus worker: the workflows bundle from workflows/ and the activities from activities/.
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerInterceptors, type WorkflowBundleOption } from '@temporalio/worker';
import type { IncidentDependencies } from '../activities/incident/index.ts';
import { createActivities } from '../activities/index.ts';

export const DEFAULT_TASK_QUEUE = 'lazarus';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
  /** Workflows bundled once beforehand (by a harness starting many workers) instead of at each start. */
  workflowBundle?: WorkflowBundleOption;
  /** Test hooks only (the chaos harness's kill points); production workers have none. */
  interceptors?: WorkerInterceptors;
}

export function createLazarusWorker(options: LazarusWorkerOptions): Promise<Worker> {
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue,
    ...(options.workflowBundle === undefined ? { workflowsPath: WORKFLOWS_PATH } : { workflowBundle: options.workflowBundle }),
    ...(options.interceptors === undefined ? {} : { interceptors: options.interceptors }),
    activities: createActivities({ taskQueue, ...options.dependencies }),
    ...(options.maxConcurrentActivityTaskExecutions === undefined ? {} : { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }),
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
    ...(options.shutdownGraceTimeMs === undefined ? {} : { shutdownGraceTime: options.shutdownGraceTimeMs }),
  });
}
