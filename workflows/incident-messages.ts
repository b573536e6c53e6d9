// What operators and health checkers can say to an incident, and what it tells them back. Plain
// definitions and types, so clients (CLI, health-check receiver, tests) import them without the
// workflow code itself.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FencingProof } from '../activities/fencing/index.ts';
import type { ForcedDown } from '../activities/incident/index.ts';
import type { EvacuationPolicy, SkippedInstance } from './evacuation-policy.ts';
import type { EvacuationOutcome } from './evacuation-workflow.ts';

/** Names and ids only, never a credential (I7). */
export interface IncidentInput {
  host: string;
  reporter?: string;
  reportedAt?: string;
  policy?: EvacuationPolicy;
  /** Evacuations of this host running at once (default 4). */
  evacuationConcurrency?: number;
  /** Evacuations tried per instance before a failed landing is final (default 3). */
  maxEvacuationAttempts?: number;
}

/** A health checker's "host X looks dead". */
export interface HostReport {
  reporter: string;
  /** On the reporter's clock, as it said. */
  reportedAt?: string;
  reason?: string;
}

/** Who decided and why, for history and the result. */
export interface OperatorDecision {
  operator: string;
  reason: string;
}

export type IncidentPhase = 'Fencing' | 'FencingUnproven' | 'ForcingDown' | 'Selecting' | 'Evacuating' | 'Reported' | 'Aborted';

export type IncidentOutcome = 'Recovered' | 'PartiallyRecovered' | 'Cancelled' | 'Aborted';

export type InstanceProgress =
  | { outcome: 'planned' }
  | { outcome: 'evacuating' }
  | { outcome: 'skipped'; reason: string }
  /** The incident was cancelled before this instance's turn. */
  | { outcome: 'notStarted'; reason: string }
  | EvacuationOutcome;

export interface InstanceRow {
  instanceId: string;
  name: string;
  progress: InstanceProgress;
}

export interface IncidentState {
  /** Run-independent: the same after a reset, so evacuation IDs derived from it are too. */
  incidentId: string;
  host: string;
  incidentStartedAt: string;
  phase: IncidentPhase;
  /** Every report received, the first one included; the workflow's own clock says when. */
  reports: (HostReport & { receivedAt: string })[];
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
}

/** One incident per host at a time (I5): operators type this ID. */
export function incidentWorkflowId(host: string): string {
  return `incident/${host}`;
}

export const reportSignal = defineSignal<[HostReport]>('report');
export const stateQuery = defineQuery<IncidentState>('state');
/** Only while fencing is unproven: try the BMC again. */
export const retryFencingUpdate = defineUpdate<IncidentPhase>('retryFencing');
/** Only while fencing is unproven: the operator fenced the host by other means and says so. */
export const confirmFencedUpdate = defineUpdate<IncidentPhase, [OperatorDecision]>('confirmFenced');
/** Only while fencing is unproven: close the incident without touching Nova. */
export const abortUpdate = defineUpdate<IncidentPhase, [OperatorDecision]>('abort');

export function skippedRow(skipped: SkippedInstance): InstanceRow {
  return { instanceId: skipped.instanceId, name: skipped.name, progress: { outcome: 'skipped', reason: skipped.reason } };
}
