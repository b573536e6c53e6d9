// The incident of one failed host, step by step as the runbook (shared/DESIGN.md) tells it:
// fence with proof, force down, select, evacuate each instance exactly once, report. Started or
// joined by health checkers with signal-with-start on ID incident/<host> (I5).
import {
  ActivityFailure, CancellationScope, condition, ParentClosePolicy, setCurrentDetails, setHandler, startChild, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/common';
import type { FencingProof } from '../activities/fencing/index.ts';
import { fenceHost, forceDownComputeService, listInstancesOnHost, verifyLanding } from './activity-options.ts';
import { mapWithConcurrency } from './bounded-pool.ts';
import type { PlannedEvacuation } from './evacuation-policy.ts';
import { DEFAULT_EVACUATION_POLICY, planEvacuation } from './evacuation-policy.ts';
import type { EvacuationInput, EvacuationOutcome } from './evacuation-workflow.ts';
import { evacuationWorkflow, evacuationWorkflowId } from './evacuation-workflow.ts';
import type { IncidentInput, IncidentOutcome, IncidentPhase, IncidentState, InstanceProgress, OperatorDecision } from './incident-messages.ts';
import { abortUpdate, confirmFencedUpdate, reportSignal, retryFencingUpdate, skippedRow, stateQuery } from './incident-messages.ts';
import { incidentOutcome, progressTable } from './incident-progress.ts';
import { operatorFencingProof } from './manual-fencing.ts';
import { LazarusHost, LazarusIncident, LazarusOutcome, LazarusPhase } from './search-attributes.ts';

export const DEFAULT_EVACUATION_CONCURRENCY = 4;
export const DEFAULT_MAX_EVACUATION_ATTEMPTS = 3;

export async function incidentWorkflow(input: IncidentInput): Promise<IncidentState> {
  const incident = openIncident(input);
  const { host, incidentId } = incident.state;

  const proof = await fenceOrAskOperator(incident);
  if (proof === 'aborted') return incident.close('Aborted');

  incident.enter('ForcingDown');
  incident.state.forcedDown = await forceDownComputeService(host, incidentId, proof);

  incident.enter('Selecting');
  const plan = planEvacuation(await listInstancesOnHost(host), input.policy ?? DEFAULT_EVACUATION_POLICY);
  incident.state.instances = [
    ...plan.evacuate.map((planned) => ({ instanceId: planned.instanceId, name: planned.name, progress: { outcome: 'planned' } as const })),
    ...plan.skip.map(skippedRow),
  ];

  incident.enter('Evacuating');
  // Cancelling the incident stops new evacuations; those in flight finish and verify, and the
  // host stays fenced, forced down and disabled until it is re-admitted.
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

  return incident.close(cancellation.consideredCancelled ? 'Cancelled' : incidentOutcome(incident.state));
}

type OperatorChoice = { kind: 'retry' } | { kind: 'confirmed'; by: OperatorDecision } | { kind: 'aborted'; by: OperatorDecision };

interface Incident {
  readonly state: IncidentState;
  enter(phase: IncidentPhase): void;
  track(instanceId: string, progress: InstanceProgress): void;
  close(outcome: IncidentOutcome): IncidentState;
  /** What the operator chose while fencing was unproven; cleared when the incident waits again. */
  choice: OperatorChoice | undefined;
}

const now = (): string => new Date().toISOString();

/** The incident's state, handlers and search attributes, before any step runs. */
function openIncident(input: IncidentInput): Incident {
  const info = workflowInfo();
  // originalExecutionRunId and startTime survive a reset, so a reset incident keeps its id and
  // window, and derives the same evacuation IDs (I2's first line).
  const incidentId = `${info.workflowId}/${info.originalExecutionRunId}`;
  const state: IncidentState = {
    incidentId, host: input.host, incidentStartedAt: info.startTime.toISOString(), phase: 'Fencing',
    reports: input.reporter === undefined ? [] : [{ reporter: input.reporter, ...(input.reportedAt === undefined ? {} : { reportedAt: input.reportedAt }), receivedAt: now() }],
    fencing: { attempts: 0 }, instances: [],
  };
  const show = (): void => { setCurrentDetails(progressTable(state)); };
  const incident: Incident = {
    state,
    choice: undefined,
    enter(phase) {
      state.phase = phase;
      upsertSearchAttributes([{ key: LazarusPhase, value: phase }]);
      show();
    },
    track(instanceId, progress) {
      const row = state.instances.find((candidate) => candidate.instanceId === instanceId);
      if (row !== undefined) row.progress = progress;
      show();
    },
    close(outcome) {
      state.outcome = outcome;
      upsertSearchAttributes([{ key: LazarusOutcome, value: outcome }]);
      incident.enter(outcome === 'Aborted' ? 'Aborted' : 'Reported');
      return state;
    },
  };
  upsertSearchAttributes([{ key: LazarusHost, value: input.host }, { key: LazarusIncident, value: incidentId }]);
  incident.enter('Fencing');
  setHandler(stateQuery, () => state);
  setHandler(reportSignal, (report) => { state.reports.push({ ...report, receivedAt: now() }); show(); });
  handleOperatorChoices(incident);
  return incident;
}

function handleOperatorChoices(incident: Incident): void {
  const whileUnproven = (): void => {
    if (incident.state.phase !== 'FencingUnproven' || incident.choice !== undefined) {
      throw new Error(`${incident.state.incidentId} is ${incident.state.phase}, not waiting for an operator: fencing decisions are taken only while fencing is unproven`);
    }
  };
  const withWhoAndWhy = (decision: OperatorDecision): void => {
    whileUnproven();
    if (decision.operator.trim() === '' || decision.reason.trim() === '') throw new Error('say who decides (operator) and why (reason); both are recorded in the incident');
  };
  // Each update returns the phase the incident moved on to, once the main flow acted on the choice.
  const choose = async (choice: OperatorChoice): Promise<IncidentPhase> => {
    incident.choice = choice;
    await condition(() => incident.state.phase !== 'FencingUnproven');
    return incident.state.phase;
  };
  setHandler(retryFencingUpdate, () => choose({ kind: 'retry' }), { validator: whileUnproven });
  setHandler(confirmFencedUpdate, (by) => choose({ kind: 'confirmed', by }), { validator: withWhoAndWhy });
  setHandler(abortUpdate, (by) => choose({ kind: 'aborted', by }), { validator: withWhoAndWhy });
}

/**
 * Power-off read back from the BMC, or an operator's recorded confirmation (I1, I4). Until one
 * exists nothing touches Nova: the incident shows FencingUnproven with the reason and waits.
 */
async function fenceOrAskOperator(incident: Incident): Promise<FencingProof | 'aborted'> {
  const { state } = incident;
  for (;;) {
    state.fencing.attempts += 1;
    try {
      state.fencing.proof = await fenceHost(state.host);
      delete state.fencing.unprovenReason;
      return state.fencing.proof;
    } catch (error) {
      // FencingUnproven, or a BMC failure after its retries: all leave the power state unknown.
      if (!(error instanceof ActivityFailure)) throw error;
      state.fencing.unprovenReason = error.cause?.message ?? error.message;
    }
    incident.choice = undefined;
    incident.enter('FencingUnproven');
    await condition(() => incident.choice !== undefined);
    // Set by an update handler while this awaited; TypeScript still sees the undefined assigned above.
    const choice = incident.choice as OperatorChoice | undefined;
    if (choice?.kind === 'confirmed') {
      state.fencing.confirmedBy = { ...choice.by, at: now() };
      return operatorFencingProof(state.host, choice.by, state.fencing.confirmedBy.at);
    }
    if (choice?.kind === 'aborted') {
      state.abortedBy = { ...choice.by, at: now() };
      return 'aborted';
    }
    incident.enter('Fencing');
  }
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
    : { outcome: 'failed', reason: `${landing.reason} (evacuated by an earlier run of this incident, ${workflowId})`, attempts: 0 };
}
