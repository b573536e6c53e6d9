// A step after fencing waits out Nova and Keystone however long they are away, visibly, instead of
// failing the incident and leaving the host fenced with nothing working on it
// (docs/design.md#i9-liveness). The activity's own retries stay short, so the workflow learns of
// an outage in seconds and can say so; the long wait is the workflow's, on a timer an operator can
// cut short.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition } from '@temporalio/workflow';
import { evacuationWorkflowId } from '../contracts/evacuation-messages.ts';
import type { Waiting } from '../contracts/incident-messages.ts';
import {
  evacuationWaitingSignal,
  retryNowSignal,
  retryNowUpdate,
} from '../contracts/incident-messages.ts';
import { capacityWaits } from '../domain/incident-progress.ts';
import { retryDelayMs, waitKindOf } from '../domain/outage-waits.ts';
import type { Incident } from './incident-record.ts';
import { now } from './incident-record.ts';

/** Where a waiting step shows itself, and how an operator's "retry now" reaches it. */
export interface WaitingBoard {
  show(waiting: Waiting | undefined): void;
  /** How many times an operator asked to retry now; a step waiting sees the count grow. */
  retryRequests(): number;
}

/**
 * `call` until it answers. A failure whose type is in `finalTypes`, or is no outage and needs no
 * operator (an answer about the thing itself), is thrown to the caller as before.
 */
export async function untilAnswered<T>(
  step: string,
  call: () => Promise<T>,
  board: WaitingBoard,
  finalTypes: ReadonlySet<string> = new Set(),
): Promise<T> {
  let waiting: Waiting | undefined;
  for (;;) {
    try {
      const answer = await call();
      if (waiting !== undefined) board.show(undefined);
      return answer;
    } catch (error) {
      const kind = waitKindOf(failureTypeOf(error), finalTypes);
      if (kind === 'final' || !(error instanceof ActivityFailure)) throw error;
      const tries = (waiting?.tries ?? 0) + 1;
      const delayMs = retryDelayMs(kind, tries);
      waiting = {
        step,
        kind,
        since: waiting?.since ?? now(),
        tries,
        lastError: error.cause?.message ?? error.message,
        nextTryAt: new Date(Date.now() + delayMs).toISOString(),
      };
      board.show(waiting);
      const asked = board.retryRequests();
      await condition(() => board.retryRequests() > asked, delayMs);
    }
  }
}

function failureTypeOf(error: unknown): string | undefined {
  if (!(error instanceof ActivityFailure)) return undefined;
  return error.cause instanceof ApplicationFailure ? (error.cause.type ?? undefined) : undefined;
}

/**
 * The incident's board: its own waiting step in its state, its evacuations' in their rows (they
 * signal it), and `retryNow`, which wakes every waiting step, its evacuations' included.
 */
export function openRetryDesk(incident: Incident): WaitingBoard {
  const { state } = incident;
  let requests = 0;
  const waitingEvacuations = () =>
    state.instances.filter((row) => row.progress.outcome === 'evacuating' && row.progress.waiting);
  // Instances waiting for room on other hosts (capacity-gate.ts): one step, which reads it again.
  const isWaitingForRoom = () => capacityWaits(state).length > 0;
  setHandler(evacuationWaitingSignal, ({ instanceId, waiting }) => {
    const row = state.instances.find((candidate) => candidate.instanceId === instanceId);
    if (row?.progress.outcome !== 'evacuating') return;
    incident.track(instanceId, {
      outcome: 'evacuating',
      ...(waiting === undefined ? {} : { waiting }),
    });
  });
  setHandler(
    retryNowUpdate,
    async () => {
      requests += 1;
      const evacuations = waitingEvacuations();
      await Promise.all(
        evacuations.map((row) =>
          getExternalWorkflowHandle(evacuationWorkflowId(state.incidentId, row.instanceId)).signal(
            retryNowSignal,
          ),
        ),
      );
      return (
        (state.waiting === undefined ? 0 : 1) + (isWaitingForRoom() ? 1 : 0) + evacuations.length
      );
    },
    {
      validator: () => {
        if (
          state.waiting === undefined &&
          waitingEvacuations().length === 0 &&
          !isWaitingForRoom()
        ) {
          throw new Error(
            `nothing of ${state.incidentId} waits for Nova, Keystone or room on other hosts (phase ${state.phase}); ` +
              `lazarus show ${state.host} tells what it does`,
          );
        }
      },
    },
  );
  return {
    show(waiting) {
      if (waiting === undefined) delete state.waiting;
      else state.waiting = waiting;
      incident.show();
    },
    retryRequests: () => requests,
  };
}

/** An evacuation's board: its waiting goes to its incident's row; the incident forwards `retryNow`. */
export function evacuationBoard(instanceId: string): WaitingBoard {
  let requests = 0;
  setHandler(retryNowSignal, () => {
    requests += 1;
  });
  const parent = workflowInfo().parent;
  return {
    show(waiting) {
      if (parent === undefined) return;
      // The incident may have closed meanwhile (terminated, reset): the evacuation goes on regardless.
      tell(parent.workflowId, evacuationWaitingSignal, {
        instanceId,
        ...(waiting === undefined ? {} : { waiting }),
      });
    },
    retryRequests: () => requests,
  };
}

/** A signal that may find its workflow closed (terminated, cancelled, reset): then nobody is left to tell. */
export function tell<Args extends unknown[]>(
  workflowId: string,
  signal: SignalDefinition<Args>,
  ...args: Args
): void {
  void getExternalWorkflowHandle(workflowId)
    .signal(signal, ...args)
    .catch(() => undefined);
}
