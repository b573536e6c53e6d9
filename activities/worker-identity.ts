// Who is serving the task queue: the answer `lazarus preflight` and the tests use to prove that a
// real worker picked up a workflow and ran an activity.
import { hostname } from 'node:os';

export interface WorkerIdentity {
  hostname: string;
  pid: number;
  taskQueue: string;
  nodeVersion: string;
}

export function createWorkerIdentityActivities(taskQueue: string) {
  return {
    describeWorker(): Promise<WorkerIdentity> {
      return Promise.resolve({
        hostname: hostname(),
        pid: process.pid,
        taskQueue,
        nodeVersion: process.version,
      });
    },
  };
}
