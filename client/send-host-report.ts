// The typed client of the intake: how any integration (the receiver, `lazarus report`, a script)
// turns "host X looks dead" into signal-with-start on the host's incident. The first report starts
// the incident, later ones join it as evidence (docs/design.md#i5-one-incident-per-host), so
// sending the same report twice is harmless. A host whose incident an operator aborted is
// suppressed for a while: its reports start nothing and are answered why
// (docs/design.md#suppression-after-an-abort).
import type { Client } from '@temporalio/client';
import { QueryNotRegisteredError, WorkflowNotFoundError } from '@temporalio/client';
import type { HostReport, IncidentInput } from '../contracts/incident-messages.ts';
import { reportHostFailure } from '../contracts/incident-start.ts';
import type { ReportSuppression } from '../contracts/storm-guard-messages.ts';
import {
  alertResolvedSignal,
  reportSuppressedSignal,
  stormGuardWorkflowId,
  suppressionQuery,
} from '../contracts/storm-guard-messages.ts';
import { suppressedBecause } from '../domain/report-suppression.ts';
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

/** A report that started nothing, because an operator aborted the host's incident. */
export interface SuppressedReport {
  host: string;
  /** `suppressed: aborted by <operator> at <time> because <reason>; …` */
  suppressed: string;
}

export function isSuppressed(
  answer: IncidentReceipt | SuppressedReport,
): answer is SuppressedReport {
  return 'suppressed' in answer;
}

/**
 * The storm guard's suppression of `host`, if any. A query, so asking costs the guard no history; a
 * guard that does not run (none started yet, or the storm guard is off) suppresses nothing.
 */
async function suppressionOf(
  client: Client,
  host: string,
  taskQueue: string,
): Promise<ReportSuppression | undefined> {
  try {
    return await client.workflow
      .getHandle(stormGuardWorkflowId(taskQueue))
      .query(suppressionQuery, host);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || error instanceof QueryNotRegisteredError)
      return undefined;
    throw error;
  }
}

export async function sendHostReport(
  client: Client,
  report: HostReport & { host: string },
  options: IncidentStartOptions,
): Promise<IncidentReceipt | SuppressedReport> {
  const suppression = await suppressionOf(client, report.host, options.taskQueue);
  if (suppression !== undefined) {
    await client.workflow
      .getHandle(stormGuardWorkflowId(options.taskQueue))
      .signal(reportSuppressedSignal, { host: report.host });
    return { host: report.host, suppressed: suppressedBecause(suppression) };
  }
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

/** The host's alert resolved: an operator's abort no longer suppresses its reports. Returns whether one did. */
export async function endSuppressionOnResolve(
  client: Client,
  resolved: { host: string; reporter: string },
  options: Pick<IncidentStartOptions, 'taskQueue'>,
): Promise<boolean> {
  if ((await suppressionOf(client, resolved.host, options.taskQueue)) === undefined) return false;
  await client.workflow
    .getHandle(stormGuardWorkflowId(options.taskQueue))
    .signal(alertResolvedSignal, resolved);
  return true;
}
