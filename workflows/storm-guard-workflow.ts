// The storm guard (docs/design.md#i6-storm-guard): one long-lived workflow per Lazarus deployment
// that every incident asks before fencing its host. Within the blast radius it admits at once; past
// it, incidents wait in AwaitingApproval until an operator approves them or resets the guard. Pause
// stops all new fencing and evacuations; what is in flight finishes. It continues as new before its
// history grows large, carrying its state.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import { requireWhoAndWhy } from './fencing-with-operator.ts';
import { isHistoryLong } from './history-limits.ts';
import type { AdmissionAnswer, OperatorDecision } from '../contracts/incident-messages.ts';
import { admissionSignal } from '../contracts/incident-messages.ts';
import type {
  AdmissionRequest,
  HeldIncident,
  ReportSuppression,
  StormGuardState,
} from '../contracts/storm-guard-messages.ts';
import {
  admissionRequestSignal,
  approveUpdate,
  DEFAULT_STORM_GUARD_LIMITS,
  guardStateQuery,
  alertResolvedSignal,
  incidentDoneSignal,
  pauseUpdate,
  reportSuppressedSignal,
  suppressionQuery,
  suppressReportsSignal,
  unsuppressUpdate,
  resetGuardUpdate,
  resumeUpdate,
} from '../contracts/storm-guard-messages.ts';
import type { Activities } from '../activities/index.ts';
import {
  admissionVerdict,
  admittedWithinWindow,
  incidentsToCheck,
  withoutClosed,
} from '../domain/storm-guard-policy.ts';
import { guardDetails } from '../domain/storm-guard-progress.ts';
import { flappingReadmissionHold, withFailure } from '../domain/flapping-guard.ts';
import {
  activeSuppression,
  msUntilNextExpiry,
  withoutExpired,
} from '../domain/report-suppression.ts';

/**
 * While it holds or lets incidents run, the guard also looks for closed ones this often, so its own
 * lists (the Web UI, `guardState`) drop an incident terminated in a quiet period.
 */
const CLOSED_INCIDENTS_CHECK_MS = 5 * 60_000;

/** A few quick attempts: a guard that cannot ask decides on what it holds rather than wait. */
const { findClosedIncidents } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

export async function stormGuardWorkflow(carried?: StormGuardState): Promise<void> {
  const state: StormGuardState = carried ?? {
    limits: DEFAULT_STORM_GUARD_LIMITS,
    admitted: [],
    held: [],
    running: [],
    suppressions: [],
    decisions: [],
  };
  const now = (): string => new Date().toISOString();
  /** Bumped on every change, so the main loop sets its timers again. */
  let changes = 0;
  const show = (): void => {
    changes += 1;
    setCurrentDetails(guardDetails(state));
  };
  let checkedForClosedAt = Date.now();

  // An incident that ended or was terminated cannot be told: that is its business, not the guard's.
  const tell = async (incidentWorkflowId: string, answer: AdmissionAnswer): Promise<void> => {
    try {
      await getExternalWorkflowHandle(incidentWorkflowId).signal(admissionSignal, answer);
    } catch {
      state.running = state.running.filter(
        (running) => running.incidentWorkflowId !== incidentWorkflowId,
      );
    }
  };
  // Incidents closed from outside (terminated, cancelled, failed, timed out) never say so: asked
  // before every decision, so none holds others or makes its host's next failure "admitted before".
  const forgetClosed = async (): Promise<void> => {
    const incidents = incidentsToCheck(state);
    if (incidents.length === 0) return;
    checkedForClosedAt = Date.now();
    try {
      withoutClosed(state, await findClosedIncidents(incidents));
      show();
    } catch (error) {
      log.warn('the storm guard could not learn which incidents closed; it decides on its lists', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  const admit = async (
    incident: { incidentWorkflowId: string; incidentId: string; host: string },
    by: string,
  ): Promise<void> => {
    state.held = state.held.filter(
      (held) => held.incidentWorkflowId !== incident.incidentWorkflowId,
    );
    const at = now();
    state.admitted = [
      ...admittedWithinWindow(state, Date.parse(at)),
      {
        incidentWorkflowId: incident.incidentWorkflowId,
        incidentId: incident.incidentId,
        host: incident.host,
        admittedAt: at,
        by,
      },
    ];
    if (!state.running.some((running) => running.incidentId === incident.incidentId))
      state.running.push({
        incidentWorkflowId: incident.incidentWorkflowId,
        incidentId: incident.incidentId,
      });
    show();
    const { flapping } = state.limits;
    const noReadmission =
      flapping === undefined
        ? undefined
        : flappingReadmissionHold(state.failures ?? [], incident, Date.parse(at), flapping);
    await tell(incident.incidentWorkflowId, {
      kind: 'admitted',
      by,
      ...(noReadmission === undefined ? {} : { flapping: noReadmission }),
    });
  };
  const decide = async (request: AdmissionRequest): Promise<void> => {
    await forgetClosed();
    const { flapping } = state.limits;
    if (flapping !== undefined)
      state.failures = withFailure(
        state.failures ?? [],
        { host: request.host, incidentId: request.incidentId, at: now() },
        flapping,
      );
    else delete state.failures;
    const verdict = admissionVerdict(state, request, Date.parse(now()));
    if (verdict.admit) {
      await admit(request, `the storm guard: ${verdict.because}`);
      return;
    }
    const held: HeldIncident = {
      incidentWorkflowId: request.incidentWorkflowId,
      incidentId: request.incidentId,
      host: request.host,
      fleet: request.fleet,
      heldSince: now(),
      because: verdict.because,
      isHeldForPause: verdict.isHeldForPause,
      ...(verdict.isHeldForFlapping === true ? { isHeldForFlapping: true } : {}),
    };
    state.held = [
      ...state.held.filter((other) => other.incidentWorkflowId !== request.incidentWorkflowId),
      held,
    ];
    show();
    await tell(request.incidentWorkflowId, { kind: 'held', because: verdict.because });
  };
  const record = (action: string, decision: OperatorDecision): void => {
    state.decisions = [...state.decisions, { ...decision, action, at: now() }].slice(-20);
  };
  const admitHeld = async (
    which: readonly HeldIncident[],
    decision: OperatorDecision,
  ): Promise<string[]> => {
    for (const held of which) await admit(held, `${decision.operator}: ${decision.reason}`);
    return which.map((held) => held.incidentWorkflowId);
  };

  setHandler(guardStateQuery, () => state);
  setHandler(admissionRequestSignal, async (request) => {
    state.limits = request.limits;
    await decide(request);
  });
  // Also sent by an incident aborted while held, which must not hold the others any longer.
  setHandler(incidentDoneSignal, ({ incidentWorkflowId }) => {
    state.running = state.running.filter(
      (running) => running.incidentWorkflowId !== incidentWorkflowId,
    );
    state.held = state.held.filter((held) => held.incidentWorkflowId !== incidentWorkflowId);
    show();
  });
  const heldFor = (host: string | undefined): HeldIncident[] =>
    state.held.filter((held) => host === undefined || held.host === host);
  // An incident admitted now would not be told of the pause (only those running when it began
  // are), and would fence and evacuate in the middle of it: the pause would be overridden.
  const refuseWhilePaused = (what: string): void => {
    if (state.paused !== undefined)
      throw new Error(
        `automation is paused by ${state.paused.operator} since ${state.paused.at} (${state.paused.reason}): ${what} would let held incidents fence and evacuate during the pause; run lazarus resume first (incidents held only for the pause then go on by themselves)`,
      );
  };
  setHandler(
    approveUpdate,
    async (decision) => {
      record(
        decision.host === undefined ? 'approve all held' : `approve ${decision.host}`,
        decision,
      );
      await forgetClosed();
      return admitHeld(heldFor(decision.host), decision);
    },
    {
      validator: (decision: OperatorDecision & { host?: string }) => {
        requireWhoAndWhy(decision);
        refuseWhilePaused('approving');
        if (heldFor(decision.host).length === 0)
          throw new Error(
            decision.host === undefined
              ? 'no incident is held by the storm guard'
              : `no incident of host ${decision.host} is held by the storm guard`,
          );
      },
    },
  );
  setHandler(
    resetGuardUpdate,
    async (decision) => {
      record('reset', decision);
      await forgetClosed();
      state.admitted = [];
      return admitHeld([...state.held], decision);
    },
    {
      validator: (decision: OperatorDecision) => {
        requireWhoAndWhy(decision);
        refuseWhilePaused('resetting the guard');
      },
    },
  );
  setHandler(
    pauseUpdate,
    async (decision) => {
      record('pause', decision);
      state.paused = { ...decision, at: now() };
      show();
      for (const { incidentWorkflowId } of [...state.running])
        await tell(incidentWorkflowId, {
          kind: 'paused',
          by: `${decision.operator}: ${decision.reason}`,
        });
      return state;
    },
    {
      validator: (decision: OperatorDecision) => {
        requireWhoAndWhy(decision);
        if (state.paused !== undefined)
          throw new Error(
            `automation is already paused by ${state.paused.operator} since ${state.paused.at}`,
          );
      },
    },
  );
  setHandler(
    resumeUpdate,
    async (decision) => {
      record('resume', decision);
      delete state.paused;
      show();
      for (const { incidentWorkflowId } of [...state.running])
        await tell(incidentWorkflowId, {
          kind: 'resumed',
          by: `${decision.operator}: ${decision.reason}`,
        });
      // Held only for the pause: decided again now, in the order they asked.
      const forPause = state.held.filter((held) => held.isHeldForPause);
      state.held = state.held.filter((held) => !held.isHeldForPause);
      for (const held of forPause)
        await decide({
          incidentWorkflowId: held.incidentWorkflowId,
          incidentId: held.incidentId,
          host: held.host,
          fleet: held.fleet,
          limits: state.limits,
        });
      return state;
    },
    {
      validator: (decision: OperatorDecision) => {
        requireWhoAndWhy(decision);
        if (state.paused === undefined) throw new Error('automation is not paused');
      },
    },
  );

  // Suppressions after an abort (docs/design.md#suppression-after-an-abort): kept here, asked by
  // every report with a query, dropped when they expire on the guard's own clock.
  const lift = (host: string, decision: OperatorDecision): ReportSuppression | undefined => {
    const lifted = activeSuppression(state.suppressions, host, Date.now());
    state.suppressions = state.suppressions.filter((suppression) => suppression.host !== host);
    if (lifted !== undefined) record(`unsuppress ${host}`, decision);
    show();
    return lifted;
  };
  setHandler(suppressionQuery, (host) => activeSuppression(state.suppressions, host, Date.now()));
  setHandler(suppressReportsSignal, (suppression) => {
    state.suppressions = [
      ...state.suppressions.filter((other) => other.host !== suppression.host),
      { ...suppression, suppressedReports: 0 },
    ];
    show();
  });
  setHandler(reportSuppressedSignal, ({ host }) => {
    const suppression = activeSuppression(state.suppressions, host, Date.now());
    if (suppression !== undefined) suppression.suppressedReports += 1;
    show();
  });
  setHandler(alertResolvedSignal, ({ host, reporter }) => {
    lift(host, { operator: reporter, reason: `the alert for ${host} resolved` });
  });
  setHandler(
    unsuppressUpdate,
    (decision) => {
      const lifted = lift(decision.host, decision);
      if (lifted === undefined) throw new Error(`reports of ${decision.host} are not suppressed`);
      return lifted;
    },
    {
      validator: (decision: OperatorDecision & { host: string }) => {
        requireWhoAndWhy(decision);
        if (activeSuppression(state.suppressions, decision.host, Date.now()) === undefined)
          throw new Error(
            `reports of ${decision.host} are not suppressed (no aborted incident of it within its suppression time); nothing to lift`,
          );
      },
    },
  );

  show();
  const isTimeToContinueAsNew = (): boolean => isHistoryLong() && allHandlersFinished();
  // Wakes to continue as new, to drop expired suppressions, and to look for closed incidents.
  for (;;) {
    const seen = changes;
    const isWoken = (): boolean => isTimeToContinueAsNew() || changes !== seen;
    const waits = [
      msUntilNextExpiry(state.suppressions, Date.now()),
      incidentsToCheck(state).length === 0
        ? undefined
        : Math.max(1, checkedForClosedAt + CLOSED_INCIDENTS_CHECK_MS - Date.now()),
    ].filter((ms): ms is number => ms !== undefined);
    if (waits.length === 0) await condition(isWoken);
    else await condition(isWoken, Math.min(...waits));
    if (isTimeToContinueAsNew()) break;
    const before = state.suppressions.length;
    state.suppressions = withoutExpired(state.suppressions, Date.now());
    if (state.suppressions.length !== before) show();
    if (Date.now() - checkedForClosedAt >= CLOSED_INCIDENTS_CHECK_MS) await forgetClosed();
  }
  await continueAsNew<typeof stormGuardWorkflow>(state);
}
