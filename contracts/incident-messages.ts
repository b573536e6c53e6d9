// What operators and health checkers can say to an incident, and what it tells them back. Plain
// definitions and types, so clients (CLI, health-check receiver, tests) import them without the
// workflow code itself.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FencingProof } from '../activities/fencing/index.ts';
import type { ForcedDown } from '../activities/incident/index.ts';
import type { CorroborationRules } from '../domain/corroboration.ts';
import type { EvacuationPolicy, SkippedInstance } from '../domain/evacuation-policy.ts';
import type { EvacuationOutcome } from './evacuation-messages.ts';

/** Names and ids only, never a credential (docs/design.md#i7-no-secrets-in-history-or-logs). */
export interface IncidentInput {
  host: string;
  reporter?: string;
  reportedAt?: string;
  policy?: EvacuationPolicy;
  /** Evacuations of this host being requested at once, each until Nova accepts it (default 4). */
  evacuationConcurrency?: number;
  /** Evacuations of this host accepted by Nova and not yet landed, at most (default 50). */
  maxEvacuationsInFlight?: number;
  /**
   * How long an evacuation may wait in Nova's queue: the host keeps no more evacuations in flight
   * than its landings a second times Nova's time alone plus this (docs/design.md#novas-queue).
   * Absent (incidents started before it, or `novaQueueSeconds: 0`): no such bound.
   */
  novaQueueWaitMs?: number;
  /**
   * Capacity-aware recovery (docs/design.md#capacity-aware-recovery): an instance is evacuated only
   * once the other enabled, up hosts have room for it, read again this often while one waits.
   * Absent (incidents started before it, or `incident.capacity.check: false`): no such check.
   */
  capacityRecheckIntervalMs?: number;
  /** How often the landing watch looks while evacuations land (default 1 s; up to 8 times that while none does). */
  landingCheckIntervalMs?: number;
  /**
   * How long an evacuation in Nova's hands waits for word of its landing before it tells the
   * incident again that it is in flight (default 2 min): the way a reset incident's new run learns
   * of the evacuations of the run before (docs/design.md#the-landing-watch).
   */
  landingWatchPatienceMs?: number;
  /** Evacuations tried per instance before a failed landing is final (default 3). */
  maxEvacuationAttempts?: number;
  /** What must be true before anything destructive happens (default: the report is enough). */
  corroboration?: CorroborationRules;
  /** Ask the storm guard before fencing (default true); tests of a single incident may turn it off. */
  isAdmissionRequired?: boolean;
  /**
   * `operator` (default): the host is re-admitted on the `readmit` Update. `automatic`: as soon as
   * its nova-compute reports up again after the evacuations.
   */
  readmission?: 'operator' | 'automatic';
  /** Automatic re-admission: between two looks at the host's nova-compute (default 60 s). */
  readmissionRecheckIntervalMs?: number;
  /**
   * After an operator's abort, the host's reports start nothing for this long, unless its alert
   * resolves or an operator lifts it (default 4 h; 0 is off; docs/design.md#suppression-after-an-abort).
   */
  suppressAfterAbortMs?: number;
  /**
   * Set only by the incident itself, when it continues as new while AwaitingReadmission
   * (docs/design.md#bounded-history): its state so far. The new run keeps the incident id, the
   * start time and the outcome table, fences and evacuates nothing, and waits for re-admission.
   */
  carried?: IncidentState;
}

/** A health checker's "host X looks dead". */
export interface HostReport {
  reporter: string;
  /** On the reporter's clock, as it said. */
  reportedAt?: string;
  reason?: string;
}

/** What one reporter said, however often it said it; the workflow's own clock says when. */
export interface ReporterRecord {
  reporter: string;
  /** Its reports, repeats included. */
  count: number;
  firstReceivedAt: string;
  lastReceivedAt: string;
  /** Its first report's own time, on the reporter's clock, as it said. */
  firstReportedAt?: string;
  /** The reason of its latest report that gave one (an alert's text may change as it repeats). */
  lastReason?: string;
}

/** Who decided and why, for history and the result. */
export interface OperatorDecision {
  operator: string;
  reason: string;
}

export type IncidentPhase =
  /** Waiting for the corroboration rules to hold; then asking the storm guard. */
  | 'Corroborating'
  | 'Admitting'
  | 'AwaitingApproval'
  | 'Fencing'
  | 'FencingUnproven'
  | 'ForcingDown'
  | 'Selecting'
  | 'Evacuating'
  /** Evacuations ended; the host stays fenced, forced down and disabled until it is re-admitted. */
  | 'AwaitingReadmission'
  | 'Readmitting'
  /** Closed: re-admitted, or (incidents started before re-admission existed, and cancelled ones) reported. */
  | 'Readmitted'
  | 'Reported'
  | 'Aborted'
  | 'NotCorroborated';

export type IncidentOutcome =
  'Recovered' | 'PartiallyRecovered' | 'Cancelled' | 'Aborted' | 'NotCorroborated';

export type InstanceProgress =
  /** `waitingForCapacity`: why it waits for room on other hosts (docs/design.md#capacity-aware-recovery). */
  | { outcome: 'planned'; waitingForCapacity?: string }
  | { outcome: 'evacuating'; waiting?: Waiting }
  | { outcome: 'skipped'; reason: string }
  /** The incident was cancelled before this instance's turn. */
  | { outcome: 'notStarted'; reason: string }
  | EvacuationOutcome;

export interface InstanceRow {
  instanceId: string;
  name: string;
  progress: InstanceProgress;
}

/**
 * A step that waits for Nova or Keystone to answer again (docs/design.md#i9-liveness): what it
 * waits for, since when, the last answer, and when it tries again by itself.
 */
export interface Waiting {
  /** The step, e.g. "force down the nova-compute service of cmp-07". */
  step: string;
  /**
   * An outage heals by itself; an answer such as 401 or 403 needs an operator to fix its cause; a
   * refusal until Nova has finished work of its own (evacuations from the host not yet completed)
   * heals once it has.
   */
  kind: 'outage' | 'needsOperator' | 'notYet';
  since: string;
  tries: number;
  lastError: string;
  nextTryAt: string;
}

export interface IncidentState {
  /** Run-independent: the same after a reset, so evacuation IDs derived from it are too. */
  incidentId: string;
  host: string;
  incidentStartedAt: string;
  phase: IncidentPhase;
  /**
   * One entry per reporter, in the order they first reported, so a checker that repeats itself
   * every few seconds does not grow the state (docs/design.md#bounded-history).
   */
  reports: ReporterRecord[];
  /** Every report received, repeats included: a new report raises it. */
  reportCount: number;
  fencing: {
    attempts: number;
    /** Why the last attempt could not prove the host off, while the incident waits for an operator. */
    unprovenReason?: string;
    proof?: FencingProof;
    confirmedBy?: OperatorDecision & { at: string };
  };
  forcedDown?: ForcedDown;
  /** The per-instance outcome table, in evacuation order, then the skipped ones. */
  instances: InstanceRow[];
  outcome?: IncidentOutcome;
  abortedBy?: OperatorDecision & { at: string };
  /** Set when corroboration is required: what was checked last, and what is still missing. */
  corroboration?: { checkedAt: string; missing: string[] };
  /** The storm guard's answers: while held, why; once admitted, by whom (the guard, or an operator). */
  admission?: {
    heldBecause?: string;
    admittedBy?: string;
    admittedAt?: string;
    /** The storm guard found the host flapping: it is re-admitted only by an operator's readmit. */
    noAutomaticReadmissionBecause?: string;
  };
  /** Set when capacity-aware recovery could not read the other hosts' room: it evacuated without the check. */
  capacity?: { unknownBecause: string };
  /** Set while a step of the incident itself waits for Nova or Keystone to answer again. */
  waiting?: Waiting;
  /** Set while the storm guard has paused all automation: no new evacuation starts. */
  pausedBy?: string;
  /** Set when re-admission began: who asked (or `automatic`), and what Nova answered. */
  readmission?: {
    requestedBy: string;
    requestedAt: string;
    refusedBecause?: string;
    readmittedAt?: string;
  };
}

/** One incident per host at a time (docs/design.md#i5-one-incident-per-host): operators type this ID. */
export function incidentWorkflowId(host: string): string {
  return `incident/${host}`;
}

export const reportSignal = defineSignal<[HostReport]>('report');
export const stateQuery = defineQuery<IncidentState>('state');
/** Only while fencing is unproven: try the BMC again. */
export const retryFencingUpdate = defineUpdate<IncidentPhase>('retryFencing');
/** Only while fencing is unproven: the operator fenced the host by other means and says so. */
export const confirmFencedUpdate = defineUpdate<IncidentPhase, [OperatorDecision]>('confirmFenced');
/** While the incident corroborates, the storm guard holds it or fencing is unproven: close it without touching Nova. */
export const abortUpdate = defineUpdate<IncidentPhase, [OperatorDecision]>('abort');
/**
 * Only while AwaitingReadmission: check the host's nova-compute is up again, clear forced_down,
 * enable the service and close the incident. Fails, leaving the incident waiting, when the service
 * is not up yet. Accepted while automatic re-admission looks at the host, it takes that over.
 */
export const readmitUpdate = defineUpdate<IncidentPhase, [OperatorDecision]>('readmit');
/**
 * While a step waits for Nova or Keystone (the incident's own, or one of its evacuations): try now,
 * once the cause is fixed, instead of at the next scheduled try. Answers how many steps it woke.
 */
export const retryNowUpdate = defineUpdate<number>('retryNow');
/** From the incident to its evacuations in flight: an operator asked to retry now. */
export const retryNowSignal = defineSignal('retryNow');
/** From an evacuation to its incident: it waits for Nova (or no longer does). */
export const evacuationWaitingSignal =
  defineSignal<[{ instanceId: string; waiting?: Waiting }]>('evacuationWaiting');
/** From the storm guard: go ahead (or not yet), and whether automation is paused. */
export const admissionSignal = defineSignal<[AdmissionAnswer]>('admission');

export type AdmissionAnswer =
  /** `flapping`: why the host must not be re-admitted automatically (docs/design.md#flapping-guard). */
  | { kind: 'admitted'; by: string; flapping?: string }
  | { kind: 'held'; because: string }
  | { kind: 'paused'; by: string }
  | { kind: 'resumed'; by: string };

export function skippedRow(skipped: SkippedInstance): InstanceRow {
  return {
    instanceId: skipped.instanceId,
    name: skipped.name,
    progress: { outcome: 'skipped', reason: skipped.reason },
  };
}
