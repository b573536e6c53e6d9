// How a health checker's report reaches an incident: signal-with-start on incident/<host>, so the
// first report starts it and every later one joins it as evidence
// (docs/design.md#i5-one-incident-per-host). Plain options, for any client
// (`client.workflow.signalWithStart(incidentWorkflow, { taskQueue, ...reportHostFailure(…) })`).
import { WorkflowIdConflictPolicy } from '@temporalio/workflow';
import type { HostReport, IncidentInput } from './incident-messages.ts';
import { incidentWorkflowId, reportSignal } from './incident-messages.ts';
import { LazarusHost } from './search-attributes.ts';

export function reportHostFailure(
  report: HostReport & { host: string },
  settings: Omit<IncidentInput, 'host' | 'reporter' | 'reportedAt'> = {},
) {
  const { host, ...evidence } = report;
  const input: IncidentInput = { host, ...settings };
  return {
    workflowId: incidentWorkflowId(host),
    // The report travels as the signal only, so it is counted once however the incident starts.
    args: [input] as [IncidentInput],
    signal: reportSignal,
    signalArgs: [evidence] as [HostReport],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    typedSearchAttributes: [{ key: LazarusHost, value: host }],
    staticSummary: `incident of host ${host}`,
    staticDetails:
      `Host ${host} was reported failed by ${report.reporter}${report.reason === undefined ? '' : `: ${report.reason}`}. ` +
      'Lazarus fences it, forces its nova-compute down, and evacuates its protected instances exactly once; see the current details for progress.',
  };
}
