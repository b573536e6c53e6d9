// Builds a Lazarus worker: the workflows bundle from workflows/ and the activities from activities/.
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';

export const DEFAULT_TASK_QUEUE = 'lazarus';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface LazarusWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
}

export function createLazarusWorker(options: LazarusWorkerOptions): Promise<Worker> {
  const taskQueue = options.taskQueue ?? DEFAULT_TASK_QUEUE;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities: createActivities({ taskQueue }),
  });
}
