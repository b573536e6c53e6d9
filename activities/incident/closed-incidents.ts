// Which of the incidents the storm guard holds or lets run have closed (docs/design.md#i6-storm-guard).
// An incident that closes normally tells the guard; one that an operator terminated or cancelled,
// or that failed or timed out, cannot. So before the guard decides, it asks here, and forgets the
// closed ones: they must neither hold other incidents nor make the host's next failure "admitted
// before". An incident is open when the latest run of its workflow runs and carries its incident ID
// (a reset keeps the ID; the host's next failure has a new one).
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { RunningIncident } from '../../contracts/storm-guard-messages.ts';
import { LazarusIncident } from '../../contracts/search-attributes.ts';

/** The incident IDs of `incidents` that no longer run. */
export async function findClosedIncidents(
  incidents: readonly RunningIncident[],
): Promise<string[]> {
  const { client } = Context.current();
  const closed: string[] = [];
  for (const { incidentWorkflowId, incidentId } of incidents) {
    try {
      const description = await client.workflow.getHandle(incidentWorkflowId).describe();
      const isOpen =
        description.status.name === 'RUNNING' &&
        description.typedSearchAttributes.get(LazarusIncident) === incidentId;
      if (!isOpen) closed.push(incidentId);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      closed.push(incidentId);
    }
  }
  return closed;
}
