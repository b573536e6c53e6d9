// Re-admission (docs/design.md#re-admit): once the evacuations ended, the host stays fenced, forced
// down and disabled until an operator's `readmit` Update (or, when configured, until its
// nova-compute reports again on its own). Then: check the compute is up, clear forced_down (Nova
// refuses while the evacuations from it are not yet `completed`), enable the service; each step
// waits Nova out, and that refusal, visibly (docs/design.md#waiting-out-nova). A long wait
// continues as new, carrying the incident (docs/design.md#bounded-history).
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  setHandler,
} from '@temporalio/workflow';
import {
  checkComputeServiceUp,
  enableComputeService,
  unforceComputeService,
} from './activity-options.ts';
import { requireWhoAndWhy } from './fencing-with-operator.ts';
import { isHistoryLong } from './history-limits.ts';
import type {
  IncidentInput,
  IncidentPhase,
  IncidentState,
  OperatorDecision,
} from '../contracts/incident-messages.ts';
import { readmitUpdate } from '../contracts/incident-messages.ts';
import type { Incident } from './incident-record.ts';
import { now } from './incident-record.ts';
import type { WaitingBoard } from './wait-out-outages.ts';
import { untilAnswered } from './wait-out-outages.ts';

/** Between two looks at a host whose re-admission is automatic. */
const AUTOMATIC_READMISSION_RECHECK_MS = 60_000;

interface ReadmitRequest {
  requestedBy: string;
  /** Set by the main flow: the phase it reached, or why the host was not re-admitted. */
  answer?: { phase: IncidentPhase } | { refusedBecause: string };
}

export interface ReadmissionDesk {
  /**
   * Waits in AwaitingReadmission, re-admits the host when asked (and able), and ends in Readmitted;
   * or, once this run's history is long and no Update is in flight, stops waiting so the incident
   * continues as new, still AwaitingReadmission.
   */
  readmitWhenAsked(
    settings: Pick<IncidentInput, 'readmission' | 'readmissionRecheckIntervalMs'>,
  ): Promise<'readmitted' | 'continueAsNew'>;
}

export function openReadmissionDesk(incident: Incident, board: WaitingBoard): ReadmissionDesk {
  let pending: ReadmitRequest | undefined;
  /** This request's re-admission waits for Nova: its state shows the wait and `lazarus retry`. */
  const isWaitingForNova = (request: ReadmitRequest): boolean =>
    pending === request &&
    incident.state.phase === 'Readmitting' &&
    incident.state.waiting !== undefined;
  setHandler(
    readmitUpdate,
    async (decision: OperatorDecision) => {
      const request: ReadmitRequest = { requestedBy: `${decision.operator}: ${decision.reason}` };
      pending = request;
      // Answered at once if Nova is away: the re-admission goes on when it answers, and an
      // operator is not left waiting on an Update for as long as an outage lasts.
      await condition(() => request.answer !== undefined || isWaitingForNova(request));
      const { answer } = request;
      if (answer !== undefined && 'refusedBecause' in answer)
        throw ApplicationFailure.nonRetryable(answer.refusedBecause, 'ReadmissionRefused');
      return incident.state.phase;
    },
    {
      validator: (decision: OperatorDecision) => {
        requireWhoAndWhy(decision);
        const refusal = whyNotNow();
        if (refusal !== undefined) throw new Error(refusal);
      },
    },
  );

  /** Why a readmit cannot be taken now; undefined while the incident waits for one. */
  const whyNotNow = (): string | undefined => {
    const { incidentId, host, phase, readmission } = incident.state;
    if (pending !== undefined || phase === 'Readmitting')
      return `${incidentId}: host ${host} is being re-admitted already (requested by ${pending?.requestedBy ?? readmission?.requestedBy ?? 'unknown'}); nothing to do: lazarus show ${host} tells how it ends`;
    if (phase === 'Readmitted')
      return `${incidentId}: host ${host} was re-admitted already at ${readmission?.readmittedAt ?? 'unknown'} (requested by ${readmission?.requestedBy ?? 'unknown'}); nothing to do`;
    if (phase !== 'AwaitingReadmission')
      return `${incidentId} is ${phase}: a host is re-admitted only while its incident is AwaitingReadmission, once its evacuations ended`;
    return undefined;
  };

  /**
   * Continue as new only between requests: no readmit waits for an answer, and no other handler
   * runs, so the new run starts with nothing owed (docs/design.md#bounded-history).
   */
  const isTimeToContinueAsNew = (): boolean =>
    pending === undefined && isHistoryLong() && allHandlersFinished();

  /** The next request: an operator's, or in automatic mode the compute seen up again. */
  const nextRequest = async (
    settings: Pick<IncidentInput, 'readmission' | 'readmissionRecheckIntervalMs'>,
  ): Promise<ReadmitRequest | 'continueAsNew'> => {
    for (;;) {
      const isWoken = (): boolean => pending !== undefined || isTimeToContinueAsNew();
      if (settings.readmission !== 'automatic') await condition(isWoken);
      else
        await condition(
          isWoken,
          settings.readmissionRecheckIntervalMs ?? AUTOMATIC_READMISSION_RECHECK_MS,
        );
      if (pending !== undefined) return pending;
      if (isTimeToContinueAsNew()) return 'continueAsNew';
      let isUp = false;
      try {
        isUp = (await checkComputeServiceUp(incident.state.host)).isUp;
      } catch (error) {
        // Nova away for a while: look again at the next interval.
        if (!(error instanceof ActivityFailure)) throw error;
      }
      // An operator's readmit accepted while the incident looked takes the re-admission over, so
      // its Update is answered with how it ends and the incident can close (docs/design.md#re-admit).
      // Set by the Update handler during the await; TypeScript still sees the check above.
      const acceptedMeanwhile = pending as ReadmitRequest | undefined;
      if (acceptedMeanwhile !== undefined) return acceptedMeanwhile;
      if (isUp) return { requestedBy: 'automatic: nova-compute reports again' };
    }
  };

  const readmit = async (
    readmission: NonNullable<IncidentState['readmission']>,
  ): Promise<string | undefined> => {
    const { host } = incident.state;
    try {
      const health = await untilAnswered(
        `look at the nova-compute service of ${host} before re-admitting it`,
        () => checkComputeServiceUp(host),
        board,
      );
      if (!health.isUp) return `host ${host} is not re-admitted: ${health.evidence}`;
      await untilAnswered(`clear forced_down on ${host}`, () => unforceComputeService(host), board);
      await untilAnswered(
        `enable the nova-compute service of ${host}`,
        () => enableComputeService(host),
        board,
      );
      readmission.readmittedAt = now();
      return undefined;
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      return `host ${host} is not re-admitted: ${error.cause?.message ?? error.message}; it stays forced down and disabled, readmit again once fixed`;
    }
  };

  return {
    async readmitWhenAsked(settings) {
      const { state } = incident;
      incident.enter('AwaitingReadmission');
      for (;;) {
        const request = await nextRequest(settings);
        if (request === 'continueAsNew') return request;
        state.readmission = { requestedBy: request.requestedBy, requestedAt: now() };
        incident.enter('Readmitting');
        const refusedBecause = await readmit(state.readmission);
        pending = undefined;
        if (refusedBecause === undefined) {
          incident.enter('Readmitted');
          request.answer = { phase: 'Readmitted' };
          return 'readmitted';
        }
        state.readmission.refusedBecause = refusedBecause;
        incident.enter('AwaitingReadmission');
        request.answer = { refusedBecause };
      }
    },
  };
}
