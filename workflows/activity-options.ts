// The incident's activities with the options activities/incident/README.md recommends, in one
// place, so the incident and evacuation workflows cannot drift apart on timeouts or retries.
import { proxyActivities } from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/**
 * How soon an attempt whose worker died is noticed: the activities heartbeat four times as often
 * (activities/incident/activity-support.ts), and without it an attempt lost with a SIGKILLed worker
 * is retried only at its startToClose (docs/design.md#a-worker-dying-mid-evacuation).
 */
const WORKER_LOSS_NOTICED_WITHIN = '4 seconds';

/**
 * Three attempts, then the incident waits for an operator (retry fencing or confirm it manually).
 * An attempt tries every fencing level in turn (docs/design.md#fencing-levels), each up to its
 * power-off deadline: two minutes leave two levels room for deadlines up to about 50 s, and a
 * worker lost mid-attempt is noticed by the heartbeat, not by this.
 */
export const { fenceHost } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '15 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * Steps that must not give up while Nova is away (admission, every step after fencing,
 * re-admission): a few quick attempts, so that an outage shows within seconds; the long wait is
 * untilAnswered's (wait-out-outages.ts).
 */
export const {
  checkComputeServiceUp,
  enableComputeService,
  forceDownComputeService,
  listInstancesOnHost,
  readRecoveryCapacity,
  requestAdmission,
  startInstance,
  unforceComputeService,
} = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: WORKER_LOSS_NOTICED_WITHIN,
  retry: { initialInterval: '2 seconds', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/** One listing and the servers of the evacuations Nova finished: seconds. */
export const { watchLandings } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: WORKER_LOSS_NOTICED_WITHIN,
  retry: { initialInterval: '2 seconds', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/** Corroboration reads what it can and decides on the rest: it never fails on what it cannot read. */
export const { gatherFailureEvidence } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/**
 * Retried a second after an attempt lost with its worker, yet never POSTing before Nova had its
 * 10 s to record what an earlier attempt may have sent: an EvacuationOutcomeUnknown is retried no
 * sooner than that (its nextRetryDelay, activities/errors.ts), and an attempt after one that may
 * have sent waits it out before it trusts Nova's silence (activities/incident/evacuate-attempt.ts).
 *
 * An attempt sends its evacuate only with a whole request timeout left before its startToClose,
 * counted from when it was scheduled (the start is not known to it), and it may wait long in the
 * rate-limited queue before it starts: with 20 hosts of 10 turns each at 5 calls a second, 40 s.
 * With one minute, an attempt that had waited more than 30 s sent nothing and went back to the
 * queue, again and again (docs/design.md#rate-limited-evacuate-queue). Ten minutes leave room for a
 * queue of 2,850 calls at the default rate; a lost worker is noticed by the heartbeat timeout, not
 * by this.
 */
const EVACUATE_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: WORKER_LOSS_NOTICED_WITHIN,
  retry: { initialInterval: '1 second', maximumInterval: '2 minutes', maximumAttempts: 5 },
};

/** On the deployment's rate-limited task queue for evacuate calls (apps/worker/create-worker.ts). */
export function rateLimitedEvacuateInstance(taskQueue: string): Activities['evacuateInstance'] {
  return proxyActivities<Activities>({ ...EVACUATE_OPTIONS, taskQueue }).evacuateInstance;
}

/**
 * EvacuationInProgress is retryable, so this backoff is how a landing is watched, for as long as a
 * rebuild may take: 30 minutes. It starts at half a second because the evacuation holds its slot
 * until the landing is seen: a 2 s first retry cost each wave of evacuations more than the rebuild
 * itself in the benchmark (bench/results/2026-11-21.md).
 */
export const { verifyLanding } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: WORKER_LOSS_NOTICED_WITHIN,
  scheduleToCloseTimeout: '30 minutes',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 1.3,
    maximumInterval: '15 seconds',
    // Nova away is not "not landed yet": the workflow waits it out visibly (wait-out-outages.ts).
    nonRetryableErrorTypes: ['CloudUnavailable'],
  },
});

/** Reads one event of a closed workflow; Temporal answering again is all a retry waits for. */
export const { describeEvacuationEnd } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** As long as an evacuation may take: its evacuate retries, a 30-minute landing, a restart. */
export const { awaitEarlierEvacuation } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});
