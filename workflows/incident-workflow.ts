// The incident of one failed host, step by step as the runbook (shared/DESIGN.md) tells it:
// fence with proof, force down, select, evacuate each instance exactly once, report. Started or
// joined by health checkers with signal-with-start on ID incident/<host> (I5).
import { CancellationScope, ParentClosePolicy, startChild, WorkflowIdReusePolicy } from '@temporalio/workflow';
// The one error class startChild throws for a taken ID; @temporalio/workflow does not re-export it.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { forceDownComputeService, listInstancesOnHost, verifyLanding } from './activity-options.ts';
import { mapWithConcurrency } from './bounded-pool.ts';
import type { EvacuationPlan, PlannedEvacuation } from './evacuation-policy.ts';
import { DEFAULT_EVACUATION_POLICY, planEvacuation } from './evacuation-policy.ts';
import type { EvacuationInput, EvacuationOutcome } from './evacuation-workflow.ts';
import { evacuationWorkflow, evacuationWorkflowId } from './evacuation-workflow.ts';
import { fenceOrAskOperator, handleOperatorChoices } from './fencing-with-operator.ts';
import type { IncidentInput, IncidentState } from './incident-messages.ts';
import { skippedRow } from './incident-messages.ts';
import { incidentOutcome } from './incident-progress.ts';
import type { Incident } from './incident-record.ts';
import { openIncident } from './incident-record.ts';

export const DEFAULT_EVACUATION_CONCURRENCY = 4;
export const DEFAULT_MAX_EVACUATION_ATTEMPTS = 3;

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const incident = openIncident(input);
  handleOperatorChoices(incident);
  const { host, incidentId } = incident.state;

  const proof = await fenceOrAskOperator(incident);
  if (proof === 'aborted') return incident.close('Aborted');

  incident.enter('ForcingDown');
  incident.state.forcedDown = await forceDownComputeService(host, incidentId, proof);

  incident.enter('Selecting');
  const plan = planEvacuation(await listInstancesOnHost(host), input.policy ?? DEFAULT_EVACUATION_POLICY);

  incident.enter('Evacuating');
  const wasCancelled = await evacuateAll(incident, plan, input);

  return incident.close(wasCancelled ? 'Cancelled' : incidentOutcome(incident.state));
}

/**
 * Every planned instance, a few at a time, each in its own child workflow. Cancelling the incident
 * stops new evacuations; those in flight finish and verify, and the host stays fenced, forced down
 * and disabled until it is re-admitted. Returns whether the incident was cancelled.
 */
async function evacuateAll(incident: Incident, plan: EvacuationPlan, input: IncidentInput): Promise<boolean> {
  incident.state.instances = [
    ...plan.evacuate.map((planned) => ({ instanceId: planned.instanceId, name: planned.name, progress: { outcome: 'planned' } as const })),
    ...plan.skip.map(skippedRow),
  ];
  const cancellation = CancellationScope.current();
  await mapWithConcurrency(plan.evacuate, input.evacuationConcurrency ?? DEFAULT_EVACUATION_CONCURRENCY, async (planned) => {
    if (cancellation.consideredCancelled) {
      incident.track(planned.instanceId, { outcome: 'notStarted', reason: 'the incident was cancelled before its turn; it is still on the fenced host: evacuate it by hand or report the host again' });
      return;
    }
    incident.track(planned.instanceId, { outcome: 'evacuating' });
    const outcome = await CancellationScope.nonCancellable(() => evacuate(incident, planned, input.maxEvacuationAttempts ?? DEFAULT_MAX_EVACUATION_ATTEMPTS));
    incident.track(planned.instanceId, outcome);
  });
  return cancellation.consideredCancelled;
}

/** One instance through its own child workflow; an ID taken already means an earlier run of this incident started it. */
async function evacuate(incident: Incident, planned: PlannedEvacuation, maxAttempts: number): Promise<EvacuationOutcome> {
  const { incidentId, incidentStartedAt, host } = incident.state;
  const input: EvacuationInput = {
    incidentId, incidentStartedAt, sourceHost: host, instanceId: planned.instanceId, name: planned.name, statusBefore: planned.statusBefore, maxAttempts,
  };
  const workflowId = evacuationWorkflowId(incidentId, planned.instanceId);
  try {
    const child = await startChild(evacuationWorkflow, {
      workflowId, args: [input],
      // A reset incident re-running this step must not start a second evacuation of the instance.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // An evacuation in flight finishes and verifies even if the incident is reset or terminated.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `evacuate ${planned.name} (${planned.instanceId}) from ${host}`,
    });
    return await child.result();
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    return readEarlierEvacuation(input, workflowId);
  }
}

/**
 * A workflow cannot await a child of another run, but Nova holds the answer: verifyLanding only
 * reads, and waits while that evacuation is in progress. Which microversion the earlier run spoke
 * is unknown, so a previously running instance may have landed ACTIVE (before 2.95) or SHUTOFF.
 */
async function readEarlierEvacuation(input: EvacuationInput, workflowId: string): Promise<EvacuationOutcome> {
  const read = (doesEvacuateStopInstances: boolean) => verifyLanding({
    instanceId: input.instanceId, sourceHost: input.sourceHost, statusBefore: input.statusBefore, incidentStartedAt: input.incidentStartedAt, doesEvacuateStopInstances,
  });
  let landing = await read(false);
  if (landing.outcome === 'failed' && landing.status === 'SHUTOFF') landing = await read(true);
  return landing.outcome === 'landed'
    ? { outcome: 'alreadyEvacuated', host: landing.host, by: `an earlier run of this incident (${workflowId})` }
    : { outcome: 'failed', reason: `${landing.reason}; its evacuation workflow ${workflowId} was started before this run of the incident, so it is not started again`, attempts: 0 };
}
