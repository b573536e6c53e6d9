// What an incident and its clients know of one instance's evacuation: the child's input and
// outcome, its workflow ID, the task queue its evacuate calls go to, and the signals by which the
// incident watches its landing.
import { defineSignal } from '@temporalio/workflow';
import type { LandingReport } from '../activities/incident/verify-landing.ts';

export interface EvacuationInput {
  /**
   * The run-independent id of the incident that began the host's failure: this incident, or an
   * earlier one that forced the host down and was terminated (docs/design.md#one-failure-many-incidents).
   * As in the workflow ID.
   */
  incidentId: string;
  /** When that incident began: the start of the window of Nova's records the pre-check reads. */
  incidentStartedAt: string;
  sourceHost: string;
  instanceId: string;
  name: string;
  /** Nova's status before the failure: what the instance must be again after landing. */
  statusBefore: string;
  /** Evacuations tried, the first included, before a failed landing is final. */
  maxAttempts: number;
  /** Start it again when it ran before and the evacuation left it stopped (Nova 2.95+); default true. */
  shouldRestartRunningInstances?: boolean;
  /** IncidentInput.landingWatchPatienceMs, when the incident's input sets it. */
  watchPatienceMs?: number;
}

export type EvacuationOutcome =
  | {
      outcome: 'landed';
      host: string;
      durationMs: number;
      attempts: number;
      migrationId: number;
      /**
       * Set when the evacuation that landed was found in Nova rather than sent by this attempt: the
       * answer to an earlier POST that was lost, or a human's. Its request id tells them apart in
       * Nova's logs; the workflow cannot, since a lost answer never carried the id.
       */
      foundInNova?: { requestId: string | null };
      /** Nova 2.95+ left it stopped and it was started again, as the policy asks for instances that ran before. */
      startedAgain?: boolean;
    }
  /** Moved off the failed host without an evacuation of this incident, or by an earlier run of it; Lazarus sent nothing. */
  | { outcome: 'alreadyEvacuated'; host: string | null; by: string }
  | { outcome: 'failed'; reason: string; attempts: number }
  /** An operator cancelled this evacuation before Lazarus sent an evacuate for it; nothing of it is in Nova's hands. */
  | { outcome: 'cancelled'; reason: string };

export function evacuationWorkflowId(incidentId: string, instanceId: string): string {
  return `evacuation/${incidentId}/${instanceId}`;
}

/** The deployment's queue for evacuate calls only, whose rate limit bounds what Nova receives. */
export function evacuateCallsTaskQueue(taskQueue: string): string {
  return `${taskQueue}/evacuate-calls`;
}

/**
 * An evacuation Nova accepted, for its incident to watch land (docs/design.md#the-landing-watch):
 * what the landing is judged against, and which failed evacuation, if any, this one retries after.
 */
export interface WatchedEvacuation {
  /** The evacuation workflow to tell. */
  workflowId: string;
  instanceId: string;
  statusBefore: string;
  doesEvacuateStopInstances: boolean;
  retryAfterMigrationId?: number;
}

/** The incident's answer to one watched evacuation: landed, or failed with a reason. */
export interface SeenLanding {
  watched: WatchedEvacuation;
  landing: LandingReport;
  /** How long Nova took to land it, from its migration's created_at to updated_at; absent when unknown. */
  novaLandingMs?: number;
  /** When Nova marked it done (its migration's updated_at, epoch ms on Nova's clock); absent when unknown. */
  novaLandedAt?: number;
}

/** Child to incident: Nova accepted this evacuation (or holds one); watch it land. */
export const evacuationAcceptedSignal = defineSignal<[WatchedEvacuation]>('evacuationAccepted');
/** Incident to child: this run of the incident does not watch landings now; look yourself. */
export const lookYourselfSignal = defineSignal('lookYourself');
/** Incident to child: what its landing watch saw of it. */
export const landingSeenSignal = defineSignal<[SeenLanding]>('landingSeen');
