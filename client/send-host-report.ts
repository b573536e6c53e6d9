// The typed client of the intake: how any integration (the receiver, `lazarus report`, a script)
// turns "host X looks dead" into signal-with-start on the host's incident. The first report starts
// the incident, later ones join it as evidence (docs/design.md#i5-one-incident-per-host), so
// sending the same report twice is harmless.
import type { Client } from '@temporalio/client';
import type { HostReport, IncidentInput } from '../contracts/incident-messages.ts';
import { reportHostFailure } from '../contracts/incident-start.ts';
import type { incidentWorkflow } from '../workflows/incident-workflow.ts';

/** How reports start incidents: the worker's task queue and the incident's settings (policy, corroboration, …). */
export interface IncidentStartOptions {
  taskQueue: string;
  settings?: Omit<IncidentInput, 'host' | 'reporter' | 'reportedAt'>;
}

/** Which incident a report reached. */
export interface IncidentReceipt {
  host: string;
  /** `incident/<host>`: what operators type (`lazarus show <host>`, `temporal workflow describe`). */
  workflowId: string;
  /** The run the report was signalled to. */
  runId: string;
  /** `<workflowId>/<runId>`: the incident's own ID as its state shows it, unless the incident was reset since. */
  incidentId: string;
}

export async function sendHostReport(
  client: Client,
  report: HostReport & { host: string },
  options: IncidentStartOptions,
): Promise<IncidentReceipt> {
  const handle = await client.workflow.signalWithStart<typeof incidentWorkflow, [HostReport]>(
    'incidentWorkflow',
    { taskQueue: options.taskQueue, ...reportHostFailure(report, options.settings) },
  );
  return {
    host: report.host,
    workflowId: handle.workflowId,
    runId: handle.signaledRunId,
    incidentId: `${handle.workflowId}/${handle.signaledRunId}`,
  };
}
