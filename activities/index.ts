// Every activity the worker registers, built from their dependencies so tests can hand in their own.
import type { IncidentDependencies } from './incident/index.ts';
import { createIncidentActivities } from './incident/index.ts';
import { createWorkerIdentityActivities } from './worker-identity.ts';

export interface ActivityDependencies extends IncidentDependencies {
  taskQueue: string;
}

export function createActivities(dependencies: ActivityDependencies) {
  return {
    ...createWorkerIdentityActivities(dependencies.taskQueue),
    ...createIncidentActivities(dependencies),
  };
}

export type Activities = ReturnType<typeof createActivities>;
