// A deliberately incompatible build of the workflows, for the test of `lazarus replay`: its
// incident asks the worker who it is before doing anything else, so every incident history
// recorded by the real code meets, on replay, an activity the history never scheduled. The other
// workflows are the real ones and must still replay.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../../../activities/index.ts';
import type { IncidentInput, IncidentState } from '../../../../../contracts/incident-messages.ts';
import { incidentWorkflow as releasedIncidentWorkflow } from '../../../../../workflows/incident-workflow.ts';

export {
  evacuationWorkflow,
  stormGuardWorkflow,
  workerHealthCheck,
} from '../../../../../workflows/index.ts';

const { describeWorker } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  await describeWorker();
  return releasedIncidentWorkflow(input);
}
