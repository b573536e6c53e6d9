// Fencing with proof, or with an operator when the proof cannot be had (I1, I4): the incident
// waits in FencingUnproven for retryFencing, confirmFenced or abort, each an Update whose
// validator accepts it only then, and the last two only with who and why.
import { ActivityFailure, condition, setHandler } from '@temporalio/workflow';
import type { FencingProof } from '../activities/fencing/index.ts';
import { fenceHost } from './activity-options.ts';
import type { IncidentPhase, OperatorDecision } from './incident-messages.ts';
import { abortUpdate, confirmFencedUpdate, retryFencingUpdate } from './incident-messages.ts';
import type { Incident } from './incident-record.ts';
import { now } from './incident-record.ts';

export type OperatorChoice = { kind: 'retry' } | { kind: 'confirmed'; by: OperatorDecision } | { kind: 'aborted'; by: OperatorDecision };

export function handleOperatorChoices(incident: Incident): void {
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
export async function fenceOrAskOperator(incident: Incident): Promise<FencingProof | 'aborted'> {
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

/**
 * forceDownComputeService takes a FencingProof only, and checks just its host before forcing the
 * service down (I4). DESIGN step 4 lets an operator's recorded confirmation stand in for a BMC
 * read-back, so the confirmation travels in a proof whose protocol is "operator" and whose bmc
 * names who confirmed: the disabled_reason then reads "fenced via operator at <time>". Replace
 * with a confirmation type of its own once the activity accepts one.
 */
function operatorFencingProof(host: string, confirmation: OperatorDecision, confirmedAt: string): FencingProof {
  const proof = {
    host, protocol: 'operator', bmc: `confirmed by ${confirmation.operator}: ${confirmation.reason}`, powerState: 'Off',
    readAt: confirmedAt, wasAlreadyOff: true, attempts: 0, elapsedMs: 0,
  } as const;
  return proof as unknown as FencingProof;
}
