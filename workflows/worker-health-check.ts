import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { WorkerIdentity } from '../activities/worker-identity.ts';

const { describeWorker } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

export interface WorkerHealth {
  worker: WorkerIdentity;
  /** Workflow time (deterministic), ISO 8601. */
  checkedAt: string;
}

/** Proves end to end that a worker polls the task queue and can run both workflow and activity code. */
export async function workerHealthCheck(): Promise<WorkerHealth> {
  const worker = await describeWorker();
  return { worker, checkedAt: new Date().toISOString() };
}
