// What incidents and operators say to the storm guard, the one long-lived workflow that admits
// incidents (docs/design.md#i6-storm-guard). Plain definitions and types, so clients import them
// without the workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OperatorDecision } from './incident-messages.ts';

/**
 * One guard per Lazarus deployment, i.e. per task queue its workers serve: operators type
 * `temporal workflow describe --workflow-id storm-guard/lazarus`.
 */
export function stormGuardWorkflowId(taskQueue: string): string {
  return `storm-guard/${taskQueue}`;
}

/** The blast radius past which new incidents wait for an operator. */
export interface StormGuardLimits {
  /** Incidents admitted within the window, this one included, before the next is held. */
  maxIncidents: number;
  /** Fraction of nova-compute services down (0–1) past which new incidents are held. */
  maxFractionDown: number;
  windowMs: number;
  /** Hosts that keep failing wait for an operator (docs/design.md#flapping-guard); absent is off. */
  flapping?: FlappingLimits;
}

/** A host that failed this many times within the window is flapping. */
export interface FlappingLimits {
  failures: number;
  windowMs: number;
}

/** An incident that asked for admission: one failure of its host. */
export interface HostFailure {
  host: string;
  incidentId: string;
  at: string;
}

/** How the guard presents itself in the Web UI, whoever starts it (an incident's request, `lazarus pause`). */
export function stormGuardStartOptions(taskQueue: string) {
  return {
    workflowId: stormGuardWorkflowId(taskQueue),
    taskQueue,
    args: [] as [],
    staticSummary: 'storm guard: admits incidents, holds them past the blast radius',
    staticDetails:
      'Every incident asks this workflow before fencing its host. Past the configured limits (incidents within a window, or the fraction of nova-compute services down) new incidents wait in AwaitingApproval until an operator runs `lazarus approve` or `lazarus reset-guard`. `lazarus pause` stops all new fencing and evacuations.',
  };
}

/** Three failures within a day: a host that fails a third time is not re-admitted by itself. */
export const DEFAULT_FLAPPING_LIMITS: FlappingLimits = {
  failures: 3,
  windowMs: 24 * 3_600_000,
};

export const DEFAULT_STORM_GUARD_LIMITS: StormGuardLimits = {
  maxIncidents: 3,
  maxFractionDown: 0.25,
  windowMs: 10 * 60_000,
  flapping: DEFAULT_FLAPPING_LIMITS,
};

/** An incident asking to fence its host; sent with signal-with-start by the requestAdmission activity. */
export interface AdmissionRequest {
  incidentWorkflowId: string;
  /**
   * `incident/<host>/<original run id>`: the same across resets, new for the host's next failure. The
   * guard judges "admitted before" by it, so a closed incident's host is judged afresh.
   */
  incidentId: string;
  host: string;
  /** Nova's view when the request was sent: how many nova-compute services exist and how many read down. */
  fleet: { computeServices: number; down: number };
  /** The limits the worker is configured with; the guard applies the latest it was sent. */
  limits: StormGuardLimits;
}

export interface HeldIncident {
  incidentWorkflowId: string;
  incidentId: string;
  host: string;
  fleet: AdmissionRequest['fleet'];
  heldSince: string;
  because: string;
  /** Held only because automation was paused: resuming decides again. */
  isHeldForPause: boolean;
  /** Held because its host keeps failing: it holds no other incident (docs/design.md#flapping-guard). */
  isHeldForFlapping?: boolean;
}

export interface AdmittedIncident {
  incidentWorkflowId: string;
  incidentId: string;
  host: string;
  admittedAt: string;
  by: string;
}

/**
 * Reports of a host whose incident an operator aborted start nothing until the alert resolves, an
 * operator lifts it (`lazarus unsuppress`) or `until` passes (docs/design.md#suppression-after-an-abort).
 */
export interface ReportSuppression {
  host: string;
  /** The aborted incident. */
  incidentId: string;
  operator: string;
  reason: string;
  abortedAt: string;
  until: string;
  /** Reports answered "suppressed" so far. */
  suppressedReports: number;
}

/** An incident of the guard's lists, as the guard asks Temporal whether it still runs. */
export interface RunningIncident {
  incidentWorkflowId: string;
  incidentId: string;
}

export interface StormGuardState {
  limits: StormGuardLimits;
  /** Admitted within the window: what counts against maxIncidents. */
  admitted: AdmittedIncident[];
  held: HeldIncident[];
  /**
   * Incidents told they may run, until they report done or are found closed (terminated, cancelled,
   * failed, timed out): the ones a pause reaches.
   */
  running: RunningIncident[];
  paused?: OperatorDecision & { at: string };
  /** Hosts whose reports start nothing, after an operator's abort; expired ones are dropped. */
  suppressions: ReportSuppression[];
  /** Each host's failures within the flapping window, when the flapping guard is on. */
  failures?: HostFailure[];
  /** The last operator decisions, newest last, for the record. */
  decisions: (OperatorDecision & { action: string; at: string })[];
}

/** The guard's workflow as its clients start it: it carries its state across continue-as-new. */
export type StormGuardWorkflow = (carried?: StormGuardState) => Promise<void>;

export const admissionRequestSignal = defineSignal<[AdmissionRequest]>('requestAdmission');
/** An incident no longer fences or evacuates (it awaits re-admission or closed). */
export const incidentDoneSignal = defineSignal<[{ incidentWorkflowId: string }]>('incidentDone');
export const guardStateQuery = defineQuery<StormGuardState>('guardState');

/** From an aborted incident (the suppressHostReports activity, with signal-with-start): suppress its host's reports. */
export const suppressReportsSignal =
  defineSignal<[Omit<ReportSuppression, 'suppressedReports'>]>('suppressReports');
/** The suppression of a host's reports now, if any: asked by every report before it starts an incident. */
export const suppressionQuery = defineQuery<ReportSuppression | undefined, [string]>('suppression');
/** A report was answered "suppressed": counted in the suppression. */
export const reportSuppressedSignal = defineSignal<[{ host: string }]>('reportSuppressed');
/** The host's alert resolved (the receiver got a resolved Alertmanager alert): the suppression ends. */
export const alertResolvedSignal =
  defineSignal<[{ host: string; reporter: string }]>('alertResolved');
/** An operator lifts a host's suppression. Returns the suppression lifted. */
export const unsuppressUpdate = defineUpdate<
  ReportSuppression,
  [OperatorDecision & { host: string }]
>('unsuppress');

/** Admit held incidents: those of `host`, or all when no host is named; refused while paused. Returns the incident IDs admitted. */
export const approveUpdate = defineUpdate<string[], [OperatorDecision & { host?: string }]>(
  'approve',
);
/** Forget the window's admissions and admit everything held; refused while paused. Returns the incident IDs admitted. */
export const resetGuardUpdate = defineUpdate<string[], [OperatorDecision]>('reset');
/** Start nothing new anywhere: in-flight fencing and verification finish. */
export const pauseUpdate = defineUpdate<StormGuardState, [OperatorDecision]>('pause');
export const resumeUpdate = defineUpdate<StormGuardState, [OperatorDecision]>('resume');
