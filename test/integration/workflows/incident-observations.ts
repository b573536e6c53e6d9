// What the incident scenarios watch: an incident reaching a phase, and what reached the cloud for a host.
import type { WorkflowHandle } from '@temporalio/client';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import type { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import type { IncidentCloud } from '../activities/incident/incident-cloud.ts';
import { until } from '../activities/incident/incident-cloud.ts';

/** The incident's state once it is in `phase` (and `isReady` agrees). */
export function inPhase(
  handle: WorkflowHandle<typeof incidentWorkflow>,
  phase: IncidentState['phase'],
  isReady: (state: IncidentState) => boolean = () => true,
): Promise<IncidentState> {
  return until(
    async () => {
      const state = await handle.query(stateQuery);
      return state.phase === phase && isReady(state) ? state : undefined;
    },
    `${handle.workflowId} to be ${phase}`,
    20_000,
  );
}

/** The activities a workflow has scheduled so far, by type, in order. */
export async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
  );
}

/** Anything Lazarus did to these hosts: BMC power changes, service updates, evacuates. */
export function touched(sim: IncidentCloud['sim'], hosts: readonly string[]) {
  return sim
    .ledger()
    .filter(
      (entry) =>
        (entry.kind === 'power' && entry.via !== 'sim-admin' && hosts.includes(entry.host)) ||
        (entry.kind === 'service-update' && hosts.includes(entry.host)) ||
        (entry.kind === 'evacuate' && hosts.includes(entry.sourceHost)),
    );
}
