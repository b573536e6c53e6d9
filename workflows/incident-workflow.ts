// The incident of one failed host, step by step as docs/design.md#the-incident tells it:
// corroborate, be admitted by the storm guard, fence with proof, force down, select, evacuate each
// instance exactly once, report, and re-admit the repaired host. Started or joined by health
// checkers with signal-with-start on ID incident/<host> (docs/design.md#i5-one-incident-per-host).
import {
  allHandlersFinished,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  ParentClosePolicy,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
// The one error class startChild throws for a taken ID; @temporalio/workflow does not re-export it.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  awaitEarlierEvacuation,
  describeEvacuationEnd,
  forceDownComputeService,
  listInstancesOnHost,
  verifyLanding,
} from './activity-options.ts';
import { admitThroughStormGuard, listenToStormGuard, tellStormGuardDone } from './admission.ts';
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import { corroborate, isCorroborationRequired } from './corroborate-failure.ts';
import { NO_CORROBORATION } from '../domain/corroboration.ts';
import type { EvacuationPlan, PlannedEvacuation } from '../domain/evacuation-policy.ts';
import type { HostFailure } from '../domain/host-failure.ts';
import {
  DEFAULT_EVACUATION_CONCURRENCY,
  DEFAULT_EVACUATION_POLICY,
  DEFAULT_MAX_EVACUATION_ATTEMPTS,
  planEvacuation,
  policyKeys,
} from '../domain/evacuation-policy.ts';
import type { EvacuationInput, EvacuationOutcome } from '../contracts/evacuation-messages.ts';
import { evacuationWorkflow } from './evacuation-workflow.ts';
import { evacuationWorkflowId } from '../contracts/evacuation-messages.ts';
import { fenceOrAskOperator, handleOperatorChoices } from './fencing-with-operator.ts';
import type { IncidentInput, IncidentState } from '../contracts/incident-messages.ts';
import { skippedRow } from '../contracts/incident-messages.ts';
import { incidentOutcome } from '../domain/incident-progress.ts';
import type { Incident } from './incident-record.ts';
import { openIncident } from './incident-record.ts';
import type { ReadmissionDesk } from './readmission.ts';
import { openReadmissionDesk } from './readmission.ts';
import { suppressReportsAfterAbort } from './report-suppression.ts';
import { openRetryDesk, untilAnswered } from './wait-out-outages.ts';

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const corroboration = input.corroboration ?? NO_CORROBORATION;
  const isCorroborationNeeded = isCorroborationRequired(corroboration);
  const isAdmissionRequired = input.isAdmissionRequired !== false;
  const incident = openIncident(
    input,
    input.carried !== undefined
      ? 'AwaitingReadmission'
      : isCorroborationNeeded
        ? 'Corroborating'
        : isAdmissionRequired
          ? 'Admitting'
          : 'Fencing',
  );
  handleOperatorChoices(incident);
  listenToStormGuard(incident);
  const board = openRetryDesk(incident);
  const readmissionDesk = openReadmissionDesk(incident, board);
  const { host, incidentId } = incident.state;
  // A run continued as new while waiting: the host was fenced and evacuated by an earlier run.
  if (input.carried !== undefined) return awaitReadmission(incident, readmissionDesk, input);

  if (isCorroborationNeeded) {
    const corroborated = await corroborate(incident, corroboration);
    if (corroborated === 'aborted') return closeAborted(incident, input, false);
    if (corroborated !== 'corroborated') return incident.close('NotCorroborated');
  }
  if (isAdmissionRequired && !(await admitThroughStormGuard(incident, board)))
    return closeAborted(incident, input, true);

  if (incident.state.phase !== 'Fencing') incident.enter('Fencing');
  const fencing = await fenceOrAskOperator(incident);
  if (fencing === 'aborted') return closeAborted(incident, input, isAdmissionRequired);

  incident.enter('ForcingDown');
  const forcedDown = await untilAnswered(
    `force down the nova-compute service of ${host}`,
    () =>
      forceDownComputeService(
        host,
        { incidentId, startedAt: incident.state.incidentStartedAt },
        fencing,
      ),
    board,
  );
  incident.state.forcedDown = forcedDown;

  incident.enter('Selecting');
  const policy = input.policy ?? DEFAULT_EVACUATION_POLICY;
  const instances = await untilAnswered(
    `list the instances of ${host}`,
    () => listInstancesOnHost(host, policyKeys(policy)),
    board,
  );
  const plan = planEvacuation(instances, policy);

  incident.enter('Evacuating');
  // An earlier incident of this failure may still be evacuating: its failure names the evacuations.
  const wasCancelled = await evacuateAll(incident, plan, input, forcedDown.failure);
  if (wasCancelled) return closeAfterAdmission(incident, isAdmissionRequired, 'Cancelled');

  incident.conclude(incidentOutcome(incident.state));
  if (isAdmissionRequired) await tellStormGuardDone();
  return awaitReadmission(incident, readmissionDesk, input);
}

/**
 * The host stays fenced, forced down and disabled until it is re-admitted. A long wait continues as
 * new with the incident's state (docs/design.md#bounded-history): same incident id, same table,
 * still AwaitingReadmission; signal-with-start and Updates on incident/<host> reach the new run.
 */
async function awaitReadmission(
  incident: Incident,
  readmissionDesk: ReadmissionDesk,
  input: IncidentInput,
): Promise<IncidentState> {
  const waited = await readmissionDesk.readmitWhenAsked(input);
  if (waited === 'continueAsNew')
    // No handler runs and no readmit is owed: readmitWhenAsked stops waiting only then.
    return continueAsNew<typeof incidentWorkflow>({ ...input, carried: incident.state });
  // The readmit Update answers once it sees the closing phase.
  await condition(allHandlersFinished);
  return incident.state;
}

/** An operator aborted: the host's reports are suppressed for a while, then the incident ends. */
async function closeAborted(
  incident: Incident,
  input: IncidentInput,
  wasAdmitted: boolean,
): Promise<IncidentState> {
  await suppressReportsAfterAbort(incident, input);
  return closeAfterAdmission(incident, wasAdmitted, 'Aborted');
}

/** Ends the incident; the storm guard forgets it, so a pause no longer needs to reach it. */
async function closeAfterAdmission(
  incident: Incident,
  wasAdmitted: boolean,
  outcome: Parameters<Incident['close']>[0],
): Promise<IncidentState> {
  if (wasAdmitted) await tellStormGuardDone();
  return incident.close(outcome);
}

/**
 * Every planned instance, a few at a time, each in its own child workflow. Cancelling the incident
 * stops new evacuations; those in flight finish and verify, and the host stays fenced, forced down
 * and disabled until it is re-admitted. Returns whether the incident was cancelled.
 */
async function evacuateAll(
  incident: Incident,
  plan: EvacuationPlan,
  input: IncidentInput,
  failure: HostFailure,
): Promise<boolean> {
  incident.state.instances = [
    ...plan.evacuate.map((planned) => ({
      instanceId: planned.instanceId,
      name: planned.name,
      progress: { outcome: 'planned' } as const,
    })),
    ...plan.skip.map(skippedRow),
  ];
  const cancellation = CancellationScope.current();
  await mapWithConcurrency(
    plan.evacuate,
    input.evacuationConcurrency ?? DEFAULT_EVACUATION_CONCURRENCY,
    async (planned) => {
      // Paused by the storm guard: nothing new starts until it resumes (or the incident is cancelled).
      await CancellationScope.nonCancellable(() =>
        condition(() => incident.state.pausedBy === undefined || cancellation.consideredCancelled),
      );
      if (cancellation.consideredCancelled) {
        incident.track(planned.instanceId, {
          outcome: 'notStarted',
          reason:
            'the incident was cancelled before its turn; it is still on the fenced host: evacuate it by hand or report the host again',
        });
        return;
      }
      incident.track(planned.instanceId, { outcome: 'evacuating' });
      const outcome = await CancellationScope.nonCancellable(() =>
        evacuate(incident, planned, input, failure),
      );
      incident.track(planned.instanceId, outcome);
    },
  );
  return cancellation.consideredCancelled;
}

/**
 * One instance through its own child workflow, named after the host's failure: an ID taken already
 * means an earlier run of this incident, or an earlier incident of the same failure, started it
 * (docs/design.md#one-failure-many-incidents).
 */
async function evacuate(
  incident: Incident,
  planned: PlannedEvacuation,
  settings: IncidentInput,
  failure: HostFailure,
): Promise<EvacuationOutcome> {
  const { host } = incident.state;
  const { incidentId, startedAt: incidentStartedAt } = failure;
  const shouldRestartRunningInstances = settings.policy?.shouldRestartRunningInstances;
  const input: EvacuationInput = {
    incidentId,
    incidentStartedAt,
    sourceHost: host,
    instanceId: planned.instanceId,
    name: planned.name,
    statusBefore: planned.statusBefore,
    maxAttempts: settings.maxEvacuationAttempts ?? DEFAULT_MAX_EVACUATION_ATTEMPTS,
    ...(shouldRestartRunningInstances === undefined ? {} : { shouldRestartRunningInstances }),
  };
  const workflowId = evacuationWorkflowId(incidentId, planned.instanceId);
  try {
    const child = await startChild(evacuationWorkflow, {
      workflowId,
      args: [input],
      // A reset incident re-running this step must not start a second evacuation of the instance.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // An evacuation in flight finishes and verifies even if the incident is reset or terminated.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `evacuate ${planned.name} (${planned.instanceId}) from ${host}`,
    });
    return await child.result();
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      return readEarlierEvacuation(input, workflowId);
    // Never rethrown: one stopped evacuation must not fail the incident and strand the others.
    if (error instanceof ChildWorkflowFailure) return endedFromOutside(workflowId);
    throw error;
  }
}

/** The instance's outcome when an operator, or a failure, closed its evacuation workflow without one. */
async function endedFromOutside(workflowId: string): Promise<EvacuationOutcome> {
  const end = await describeEvacuationEnd(workflowId);
  const unknownLanding =
    'whether Nova accepted an evacuate for it is not known: check the instance in Nova, and evacuate it by hand if it is still on the failed host';
  switch (end.closedAs) {
    case 'cancelled':
      return {
        outcome: 'cancelled',
        reason: `its evacuation workflow ${workflowId} was cancelled; ${unknownLanding}`,
      };
    case 'terminated':
      return {
        outcome: 'failed',
        attempts: 0,
        reason: `its evacuation workflow ${workflowId} was terminated${end.by === undefined ? '' : ` by ${end.by}`}: ${end.reason ?? 'no reason given'}; ${unknownLanding}`,
      };
    case 'timedOut':
      return {
        outcome: 'failed',
        attempts: 0,
        reason: `its evacuation workflow ${workflowId} timed out; ${unknownLanding}`,
      };
    case 'failed':
    case 'unknown':
      return {
        outcome: 'failed',
        attempts: 0,
        reason: `its evacuation workflow ${workflowId} failed: ${end.reason ?? 'no reason recorded'}; ${unknownLanding}`,
      };
  }
}

/** Why an instance whose evacuation an earlier run started failed, saying it was not started again. */
const notStartedAgain = (reason: string, workflowId: string): string =>
  `${reason}; its evacuation workflow ${workflowId} was started before this run of the incident, so it is not started again`;

/**
 * A workflow cannot await a child of another run, so the awaitEarlierEvacuation activity does and
 * returns its outcome. Only a workflow that closed without one is read from Nova: verifyLanding only
 * reads, and waits while that evacuation is in progress. Which microversion the earlier run spoke
 * is unknown, so a previously running instance may have landed ACTIVE (before 2.95) or SHUTOFF.
 */
async function readEarlierEvacuation(
  input: EvacuationInput,
  workflowId: string,
): Promise<EvacuationOutcome> {
  const earlier = await awaitEarlierEvacuation(workflowId);
  if ('closedWith' in earlier) {
    const outcome = earlier.closedWith;
    return outcome.outcome === 'failed'
      ? { ...outcome, reason: notStartedAgain(outcome.reason, workflowId) }
      : outcome;
  }
  const read = (doesEvacuateStopInstances: boolean) =>
    verifyLanding({
      instanceId: input.instanceId,
      sourceHost: input.sourceHost,
      statusBefore: input.statusBefore,
      incidentStartedAt: input.incidentStartedAt,
      doesEvacuateStopInstances,
    });
  let landing = await read(false);
  if (landing.outcome === 'failed' && landing.status === 'SHUTOFF') landing = await read(true);
  return landing.outcome === 'landed'
    ? {
        outcome: 'alreadyEvacuated',
        host: landing.host,
        by: `an earlier run of this incident (${workflowId})`,
      }
    : { outcome: 'failed', reason: notStartedAgain(landing.reason, workflowId), attempts: 0 };
}
