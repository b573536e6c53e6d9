// Fencing with proof, or with an operator when the proof cannot be had
// (docs/design.md#i1-fence-before-evacuate, docs/design.md#i4-force-down-after-fence): the incident
// waits in FencingUnproven for retryFencing, confirmFenced or abort, each an Update whose validator
// accepts it only then, and the last two only with who and why. Abort is also taken before fencing,
// while the incident waits for corroboration or for the storm guard.
import { ActivityFailure, condition, setHandler } from '@temporalio/workflow';
import type { FencingProof } from '../activities/fencing/index.ts';
import type { ManualFencing } from '../activities/incident/index.ts';
import { fenceHost } from './activity-options.ts';
import type { IncidentPhase, OperatorDecision } from '../contracts/incident-messages.ts';
import {
  abortUpdate,
  confirmFencedUpdate,
  retryFencingUpdate,
} from '../contracts/incident-messages.ts';
import type { Incident } from './incident-record.ts';
import { now } from './incident-record.ts';

export type OperatorChoice =
  | { kind: 'retry' }
  | { kind: 'confirmed'; by: OperatorDecision }
  | { kind: 'aborted'; by: OperatorDecision };

/** Phases in which an operator may abort: nothing destructive has happened yet. */
const ABORTABLE: readonly IncidentPhase[] = [
  'Corroborating',
  'AwaitingApproval',
  'FencingUnproven',
];

export function handleOperatorChoices(incident: Incident): void {
  const whileIn = (phases: readonly IncidentPhase[]) => (): void => {
    if (!phases.includes(incident.state.phase) || incident.choice !== undefined) {
      throw new Error(
        `${incident.state.incidentId} is ${incident.state.phase}, not waiting for this decision: it is taken only while ${phases.join(' or ')}`,
      );
    }
  };
  const withWhoAndWhy =
    (phases: readonly IncidentPhase[]) =>
    (decision: OperatorDecision): void => {
      whileIn(phases)();
      requireWhoAndWhy(decision);
    };
  // Each update returns the phase the incident moved on to, once the main flow acted on the choice.
  const choose = async (choice: OperatorChoice): Promise<IncidentPhase> => {
    const waitingIn = incident.state.phase;
    incident.choice = choice;
    await condition(() => incident.state.phase !== waitingIn);
    return incident.state.phase;
  };
  setHandler(retryFencingUpdate, () => choose({ kind: 'retry' }), {
    validator: whileIn(['FencingUnproven']),
  });
  setHandler(confirmFencedUpdate, (by) => choose({ kind: 'confirmed', by }), {
    validator: withWhoAndWhy(['FencingUnproven']),
  });
  setHandler(abortUpdate, (by) => choose({ kind: 'aborted', by }), {
    validator: withWhoAndWhy(ABORTABLE),
  });
}

export function requireWhoAndWhy(decision: OperatorDecision): void {
  if (decision.operator.trim() === '' || decision.reason.trim() === '')
    throw new Error(
      'say who decides (operator) and why (reason); both are recorded in the incident',
    );
}

/** Records an operator's abort; true when the incident is to close Aborted. */
export function isAbortChosen(incident: Incident): boolean {
  const { choice } = incident;
  if (choice?.kind !== 'aborted') return false;
  incident.state.abortedBy = { ...choice.by, at: now() };
  return true;
}

/**
 * Power-off read back from the BMC, or an operator's recorded confirmation
 * (docs/design.md#i1-fence-before-evacuate, docs/design.md#i4-force-down-after-fence). Until one
 * exists nothing touches Nova: the incident shows FencingUnproven with the reason and waits.
 */
export async function fenceOrAskOperator(
  incident: Incident,
): Promise<FencingProof | ManualFencing | 'aborted'> {
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
      return {
        host: state.host,
        confirmedBy: choice.by.operator,
        confirmedAt: state.fencing.confirmedBy.at,
      };
    }
    if (isAbortChosen(incident)) return 'aborted';
    incident.enter('Fencing');
  }
}
