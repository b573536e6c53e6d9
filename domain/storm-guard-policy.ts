// The storm guard's decision (docs/design.md#i6-storm-guard): may this incident fence its host now,
// or does it wait for an operator? Pure, so every limit is unit-tested. A partitioned observer that
// reports half the racks must not be able to fence them; an operator who sees a real rack failure
// approves at once.
import { flappingHold } from './flapping-guard.ts';
import type {
  AdmissionRequest,
  AdmittedIncident,
  RunningIncident,
  StormGuardState,
} from '../contracts/storm-guard-messages.ts';

export type AdmissionVerdict =
  | { admit: true; because: string }
  | { admit: false; because: string; isHeldForPause: boolean; isHeldForFlapping?: boolean };

const minutes = (ms: number): string => `${Math.round((ms / 60_000) * 10) / 10} min`;

/** The incidents the guard holds or lets run, once each, for the question "which of these closed?". */
export function incidentsToCheck(state: StormGuardState): RunningIncident[] {
  const seen = new Set<string>();
  return [...state.running, ...state.held]
    .filter(({ incidentId }) => !seen.has(incidentId) && seen.add(incidentId))
    .map(({ incidentWorkflowId, incidentId }) => ({ incidentWorkflowId, incidentId }));
}

/** Forgets the running and held incidents found closed: they neither hold others nor were "admitted before". */
export function withoutClosed(state: StormGuardState, closedIncidentIds: readonly string[]): void {
  const isOpen = ({ incidentId }: { incidentId: string }): boolean =>
    !closedIncidentIds.includes(incidentId);
  state.running = state.running.filter(isOpen);
  state.held = state.held.filter(isOpen);
}

/** The admissions that still count against maxIncidents at `nowMs`. */
export function admittedWithinWindow(state: StormGuardState, nowMs: number): AdmittedIncident[] {
  return state.admitted.filter(
    (admitted) => nowMs - Date.parse(admitted.admittedAt) < state.limits.windowMs,
  );
}

export function admissionVerdict(
  state: StormGuardState,
  request: AdmissionRequest,
  nowMs: number,
): AdmissionVerdict {
  const { limits } = state;
  const recent = admittedWithinWindow(state, nowMs);
  // A repeated request (an activity retry, a reset incident) gets the answer it had. The incident
  // ID, not the workflow ID, says "the same incident": the host's next failure is judged afresh.
  if (
    recent.some((admitted) => admitted.incidentId === request.incidentId) ||
    state.running.some((running) => running.incidentId === request.incidentId)
  ) {
    return { admit: true, because: 'admitted before' };
  }
  if (state.paused !== undefined) {
    return {
      admit: false,
      isHeldForPause: true,
      because: `automation is paused by ${state.paused.operator} since ${state.paused.at} (${state.paused.reason}); lazarus resume lets held incidents go on`,
    };
  }
  // A flapping host is this host's matter, not a storm's: its hold holds no other incident.
  const flapping =
    limits.flapping === undefined
      ? undefined
      : flappingHold(state.failures ?? [], request, nowMs, limits.flapping);
  if (flapping !== undefined)
    return { admit: false, isHeldForPause: false, isHeldForFlapping: true, because: flapping };
  const others = state.held.filter(
    (held) =>
      held.incidentWorkflowId !== request.incidentWorkflowId && held.isHeldForFlapping !== true,
  );
  if (others.length > 0) {
    return {
      admit: false,
      isHeldForPause: false,
      because: `the storm guard already holds ${others.length} incident(s) (${others.map((held) => held.host).join(', ')}); approve them together with lazarus approve, or lazarus reset-guard`,
    };
  }
  if (recent.length + 1 > limits.maxIncidents) {
    return {
      admit: false,
      isHeldForPause: false,
      because: `${recent.length} incidents were admitted within the last ${minutes(limits.windowMs)} (${recent.map((admitted) => admitted.host).join(', ')}), and the limit is ${limits.maxIncidents}; check for a wider failure, then lazarus approve ${request.host}`,
    };
  }
  const { computeServices, down } = request.fleet;
  if (computeServices > 0 && down / computeServices > limits.maxFractionDown) {
    return {
      admit: false,
      isHeldForPause: false,
      because: `${down} of ${computeServices} nova-compute services are down, more than the limit of ${Math.round(limits.maxFractionDown * 100)} %; check for a network partition or a rack failure, then lazarus approve ${request.host}`,
    };
  }
  return {
    admit: true,
    because: `within the blast radius (${recent.length + 1} of ${limits.maxIncidents} incidents in ${minutes(limits.windowMs)}, ${down} of ${computeServices} services down)`,
  };
}
