// What reached an incident, read from its history as `temporal workflow show` would: independent
// of the workflow code, and readable without a worker.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { HostReport } from '../../contracts/incident-messages.ts';
import { incidentWorkflowId } from '../../contracts/incident-messages.ts';

/** The reports signalled to the incident of `host`, oldest first. */
export async function reportsInHistory(client: Client, host: string): Promise<HostReport[]> {
  const history = await client.workflow.getHandle(incidentWorkflowId(host)).fetchHistory();
  return (history.events ?? [])
    .map((event) => event.workflowExecutionSignaledEventAttributes)
    .filter((signal) => signal?.signalName === 'report')
    .map((signal) =>
      defaultPayloadConverter.fromPayload<HostReport>(signal?.input?.payloads?.[0] ?? {}),
    );
}
