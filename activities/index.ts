// Every activity the worker registers, built from their dependencies so tests can hand in their own.
import { createWorkerIdentityActivities } from './worker-identity.ts';

export interface ActivityDependencies {
  taskQueue: string;
}

export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createWorkerIdentityActivities(dependencies.taskQueue),
  };
}

export type Activities = ReturnType<typeof createActivities>;
