// After an operator's abort, the incident asks the storm guard to suppress its host's reports
// (docs/design.md#suppression-after-an-abort), so Alertmanager's repeats of the same alert do not
// start a new incident at once. Best effort: the incident closes Aborted whatever the guard says.
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { IncidentInput } from '../contracts/incident-messages.ts';
import { DEFAULT_SUPPRESS_AFTER_ABORT_MS } from '../domain/report-suppression.ts';
import type { Incident } from './incident-record.ts';

const { suppressHostReports } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function suppressReportsAfterAbort(
  incident: Incident,
  input: IncidentInput,
): Promise<void> {
  const { host, incidentId, abortedBy } = incident.state;
  const forMs = input.suppressAfterAbortMs ?? DEFAULT_SUPPRESS_AFTER_ABORT_MS;
  if (abortedBy === undefined || forMs <= 0) return;
  try {
    await suppressHostReports({
      host,
      incidentId,
      operator: abortedBy.operator,
      reason: abortedBy.reason,
      abortedAt: abortedBy.at,
      until: new Date(Date.parse(abortedBy.at) + forMs).toISOString(),
    });
  } catch (error) {
    log.warn('the storm guard could not be told to suppress the host’s reports', {
      host,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
