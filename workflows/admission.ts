// Admission (docs/design.md#admission, docs/design.md#i6-storm-guard): before fencing, the incident
// asks its deployment's storm guard and waits for the answer. Held, it shows AwaitingApproval with
// the guard's reason until an operator approves (through the guard) or aborts (here). The guard
// also pauses and resumes it.
import {
  condition,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { requestAdmission } from './activity-options.ts';
import { isAbortChosen } from './fencing-with-operator.ts';
import type { WaitingBoard } from './wait-out-outages.ts';
import { untilAnswered } from './wait-out-outages.ts';
import { admissionSignal } from '../contracts/incident-messages.ts';
import type { Incident } from './incident-record.ts';
import { now } from './incident-record.ts';
import { incidentDoneSignal, stormGuardWorkflowId } from '../contracts/storm-guard-messages.ts';

export function listenToStormGuard(incident: Incident): void {
  setHandler(admissionSignal, (answer) => {
    const { state } = incident;
    switch (answer.kind) {
      case 'admitted':
        state.admission = {
          admittedBy: answer.by,
          admittedAt: now(),
          ...(answer.flapping === undefined
            ? {}
            : { noAutomaticReadmissionBecause: answer.flapping }),
        };
        break;
      case 'held':
        state.admission = { heldBecause: answer.because };
        if (state.phase === 'Admitting') incident.enter('AwaitingApproval');
        break;
      case 'paused':
        state.pausedBy = answer.by;
        break;
      case 'resumed':
        delete state.pausedBy;
        break;
    }
    incident.show();
  });
}

/**
 * True once the storm guard admitted the incident; false when an operator aborted it while it
 * waited. Asking needs Nova (the guard counts the fleet), so an outage is waited out visibly: the
 * host is down and nothing else will act on it (docs/design.md#i9-liveness).
 */
export async function admitThroughStormGuard(
  incident: Incident,
  board: WaitingBoard,
): Promise<boolean> {
  const { state } = incident;
  if (state.phase !== 'Admitting') incident.enter('Admitting');
  for (;;) {
    const reports = state.reportCount;
    await untilAnswered(
      `ask the storm guard to admit the incident of ${state.host}`,
      () => requestAdmission(state.host, state.incidentId),
      board,
    );
    // A new report while held asks again, in case the guard was reset or terminated meanwhile.
    await condition(
      () =>
        state.admission?.admittedBy !== undefined ||
        incident.choice?.kind === 'aborted' ||
        state.reportCount > reports,
    );
    if (isAbortChosen(incident)) return false;
    if (state.admission?.admittedBy !== undefined) return true;
  }
}

/** The incident no longer fences or evacuates, so a pause need not reach it. */
export async function tellStormGuardDone(): Promise<void> {
  try {
    await getExternalWorkflowHandle(stormGuardWorkflowId(workflowInfo().taskQueue)).signal(
      incidentDoneSignal,
      { incidentWorkflowId: workflowInfo().workflowId },
    );
  } catch {
    // A guard that was terminated has nothing to forget; the next request starts a new one.
  }
}
