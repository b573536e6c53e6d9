// Every planned instance of the failed host, each in its own child workflow, exactly once
// (docs/design.md#i2-exactly-once). Evacuations are started a few at a time, each holding its turn
// until Nova accepts it; what Nova accepted is watched landing by the incident's landing watch
// (docs/design.md#the-landing-watch), with at most maxEvacuationsInFlight of the host in flight.
import {
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  ParentClosePolicy,
  patched,
  startChild,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
// The one error class startChild throws for a taken ID; @temporalio/workflow does not re-export it.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  awaitEarlierEvacuation,
  describeEvacuationEnd,
  verifyLanding,
} from './activity-options.ts';
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import type { EvacuationPlan, PlannedEvacuation } from '../domain/evacuation-policy.ts';
import type { HostFailure } from '../domain/host-failure.ts';
import { inFlightBound } from '../domain/nova-queue.ts';
import {
  BOUNDS_OF_UNNAMED_INPUT,
  DEFAULT_LANDING_CHECK_INTERVAL_MS,
  DEFAULT_MAX_EVACUATION_ATTEMPTS,
} from '../domain/evacuation-policy.ts';
import type { EvacuationInput, EvacuationOutcome } from '../contracts/evacuation-messages.ts';
import { evacuationWorkflowId } from '../contracts/evacuation-messages.ts';
import type { IncidentInput } from '../contracts/incident-messages.ts';
import { skippedRow } from '../contracts/incident-messages.ts';
import { evacuationWorkflow } from './evacuation-workflow.ts';
import type { Incident } from './incident-record.ts';
import type { LandingDesk } from './landing-watch.ts';
import { LANDING_WATCH_PATCH } from './landing-watch.ts';
import { openCapacityGate } from './capacity-gate.ts';
import type { WaitingBoard } from './wait-out-outages.ts';

/**
 * Cancelling the incident stops new evacuations; those in flight finish and verify, and the host
 * stays fenced, forced down and disabled until it is re-admitted. Returns whether the incident was
 * cancelled.
 */
export async function evacuateAll(
  incident: Incident,
  plan: EvacuationPlan,
  input: IncidentInput,
  {
    failure,
    landings,
    board,
  }: { failure: HostFailure; landings: LandingDesk; board: WaitingBoard },
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
  const isCancelled = () => cancellation.consideredCancelled;
  const recheckMs = input.capacityRecheckIntervalMs;
  const capacity =
    recheckMs === undefined
      ? undefined
      : openCapacityGate(incident, board, { recheckMs, isCancelled });
  const evacuateOne = async (planned: PlannedEvacuation): Promise<void> => {
    const admitted = (await capacity?.admit(planned)) ?? 'admitted';
    // Paused by the storm guard: nothing new starts until it resumes (or the incident is cancelled).
    await condition(() => incident.state.pausedBy === undefined || isCancelled());
    if (isCancelled() || admitted === 'cancelled') {
      incident.track(planned.instanceId, {
        outcome: 'notStarted',
        reason: `the incident was cancelled before its turn${admitted === 'cancelled' ? ', while it waited for room on other hosts' : ''}; it is still on the fenced host: evacuate it by hand or report the host again`,
      });
      return;
    }
    incident.track(planned.instanceId, { outcome: 'evacuating' });
    const outcome = await evacuate(incident, planned, input, failure);
    capacity?.ended(planned.instanceId);
    incident.track(planned.instanceId, outcome);
  };
  const turns = input.evacuationConcurrency ?? BOUNDS_OF_UNNAMED_INPUT.evacuationConcurrency;
  await CancellationScope.nonCancellable(async () => {
    // Incidents that began evacuating before the landing watch hold each turn until the landing.
    if (patched(LANDING_WATCH_PATCH))
      await evacuateWatched(plan.evacuate, { input, failure, landings, turns }, evacuateOne);
    else await mapWithConcurrency(plan.evacuate, turns, evacuateOne);
  });
  return isCancelled();
}

/**
 * A turn is held until Nova accepted the evacuation (or it ended without), so `turns` bounds the
 * evacuate calls being made; the rebuilds then run in Nova, up to maxEvacuationsInFlight at once
 * and no more than keep Nova's queue to novaQueueWaitMs (domain/nova-queue.ts), while the landing
 * watch looks at them all.
 */
async function evacuateWatched(
  planned: readonly PlannedEvacuation[],
  context: { input: IncidentInput; failure: HostFailure; landings: LandingDesk; turns: number },
  evacuateOne: (planned: PlannedEvacuation) => Promise<void>,
): Promise<void> {
  const { input, failure, landings, turns } = context;
  const maxInFlight =
    input.maxEvacuationsInFlight ?? BOUNDS_OF_UNNAMED_INPUT.maxEvacuationsInFlight;
  const ended = new Set<string>();
  const evacuations: Promise<void>[] = [];
  const watch = landings.watch(
    failure,
    input.landingCheckIntervalMs ?? DEFAULT_LANDING_CHECK_INTERVAL_MS,
    {
      isEveryStarted: () => evacuations.length === planned.length,
      isDone: () => ended.size === planned.length,
    },
  );
  const queueWaitMs = input.novaQueueWaitMs;
  const isFull = () => {
    const inFlight = evacuations.length - ended.size;
    return (
      inFlight >= maxInFlight ||
      (queueWaitMs !== undefined && inFlight >= inFlightBound(watch.novaPace(), queueWaitMs))
    );
  };
  await mapWithConcurrency(planned, turns, async (next) => {
    // Waiters woken together each check again: only as many start as there is room for.
    while (isFull()) await condition(() => !isFull());
    evacuations.push(evacuateOne(next).finally(() => ended.add(next.instanceId)));
    await condition(() => watch.isAccepted(next.instanceId) || ended.has(next.instanceId));
  });
  await Promise.all([...evacuations, watch.ended]);
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
    ...(settings.landingWatchPatienceMs === undefined
      ? {}
      : { watchPatienceMs: settings.landingWatchPatienceMs }),
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
