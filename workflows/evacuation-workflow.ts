// One instance of a failed host, evacuated exactly once and proven landed
// (docs/design.md#i2-exactly-once, docs/design.md#i3-nothing-silently-lost). The workflow ID
// (evacuation/<incident-id>/<instance-uuid>) is the first line against a second evacuate;
// evacuateInstance's reading of Nova's migrations is the second, and the one that also catches a
// human's evacuation.
import { ActivityFailure, CancellationScope, workflowInfo } from '@temporalio/workflow';
import type {
  EvacuateInstanceInput,
  EvacuationStart,
  LandingReport,
} from '../activities/incident/index.ts';
import type { EvacuationInput, EvacuationOutcome } from '../contracts/evacuation-messages.ts';
import { evacuateCallsTaskQueue } from '../contracts/evacuation-messages.ts';
import { rateLimitedEvacuateInstance, startInstance, verifyLanding } from './activity-options.ts';
import { landingFromIncident } from './landing-watch.ts';
import type { WaitingBoard } from './wait-out-outages.ts';
import { evacuationBoard, untilAnswered } from './wait-out-outages.ts';

/**
 * An operator may cancel this one evacuation (`temporal workflow cancel`, the Web UI). Nothing new is
 * sent to Nova after that; but an evacuate call already under way finishes, and what Nova accepted
 * is watched to its landing and reported, never left unobserved (docs/design.md#i3-nothing-silently-lost).
 * So the steps run shielded from the cancellation, which is read only between them.
 */
export async function evacuationWorkflow(input: EvacuationInput): Promise<EvacuationOutcome> {
  const cancellation = CancellationScope.current();
  const board = evacuationBoard(input.instanceId);
  const landingOf = landingFromIncident(input.watchPatienceMs);
  return CancellationScope.nonCancellable(() =>
    evacuateUntilCancelled(input, { board, landingOf }, () => cancellation.consideredCancelled),
  );
}

/** A server Nova no longer knows is an answer about this instance, not a wrong endpoint. */
const INSTANCE_GONE: ReadonlySet<string> = new Set(['NotFound']);

async function evacuateUntilCancelled(
  input: EvacuationInput,
  { board, landingOf }: { board: WaitingBoard; landingOf: ReturnType<typeof landingFromIncident> },
  isCancelled: () => boolean,
): Promise<EvacuationOutcome> {
  const evacuateOnce = rateLimitedEvacuateInstance(
    evacuateCallsTaskQueue(workflowInfo().taskQueue),
  );
  const startedAt = Date.now();
  let retryAfterMigrationId: number | undefined;
  let lastReason = 'no attempt was made';
  // What the next landing is judged against: a failed rebuild leaves the instance ERROR, and Nova
  // rebuilds an ERROR instance ACTIVE whatever the microversion (evacuation-records.ts).
  let statusBefore = input.statusBefore;
  for (let attempt = 1; attempt <= input.maxAttempts; attempt += 1) {
    const query: EvacuateInstanceInput = {
      incidentId: input.incidentId,
      instanceId: input.instanceId,
      sourceHost: input.sourceHost,
      incidentStartedAt: input.incidentStartedAt,
      ...(retryAfterMigrationId === undefined ? {} : { retryAfterMigrationId }),
    };
    // Read before every call, a call after waiting for Nova included: nothing is sent once cancelled.
    // A call that failed (its retries used up) may have sent an evacuate Nova has not recorded yet,
    // and the next call cannot read its heartbeats: it is told, and waits out Nova's margin before
    // it trusts Nova's silence (docs/design.md#a-worker-dying-mid-evacuation).
    let isAfterFailedCall = false;
    const start = await patiently(
      board,
      `evacuate ${input.name} (${input.instanceId})`,
      async () => {
        if (isCancelled()) return undefined;
        try {
          return await evacuateOnce(isAfterFailedCall ? { ...query, isAfterFailedCall } : query);
        } catch (error) {
          isAfterFailedCall = true;
          throw error;
        }
      },
    );
    if (start === undefined) {
      return {
        outcome: 'cancelled',
        reason:
          attempt === 1
            ? 'its evacuation was cancelled before Lazarus sent an evacuate; it is still on the fenced host: evacuate it by hand or report the host again'
            : `its evacuation was cancelled after ${lastReason}; no further evacuate was sent`,
      };
    }
    if ('gaveUp' in start) return { outcome: 'failed', reason: start.gaveUp, attempts: attempt };
    if (start.outcome === 'notOnSourceHost') {
      return {
        outcome: 'alreadyEvacuated',
        host: start.host,
        by: 'someone outside this incident (the server left the failed host without an evacuation of it)',
      };
    }
    if (start.outcome === 'previousEvacuationFailed') {
      // An earlier attempt of this incident failed before this run saw it: retry after exactly that one.
      retryAfterMigrationId = start.migration.id;
      statusBefore = 'ERROR';
      lastReason = `evacuation migration ${start.migration.id} ended "${start.migration.status}"`;
      continue;
    }
    const watched = {
      workflowId: workflowInfo().workflowId,
      instanceId: input.instanceId,
      statusBefore,
      doesEvacuateStopInstances: start.microversion.doesEvacuateStopInstances,
      ...(retryAfterMigrationId === undefined ? {} : { retryAfterMigrationId }),
    };
    const landing = await landingOf(watched, () =>
      patiently(board, `see ${input.name} (${input.instanceId}) land`, () =>
        verifyLanding({
          instanceId: input.instanceId,
          sourceHost: input.sourceHost,
          statusBefore,
          incidentStartedAt: input.incidentStartedAt,
          doesEvacuateStopInstances: watched.doesEvacuateStopInstances,
        }),
      ),
    );
    if ('gaveUp' in landing)
      return { outcome: 'failed', reason: landing.gaveUp, attempts: attempt };
    if (landing.outcome === 'landed') {
      const isStopped =
        input.shouldRestartRunningInstances !== false &&
        statusBefore === 'ACTIVE' &&
        landing.status === 'SHUTOFF';
      const started = isStopped ? await startAgain(input, board) : undefined;
      if (started !== undefined && 'gaveUp' in started)
        return { outcome: 'failed', reason: started.gaveUp, attempts: attempt };
      return {
        ...landed(start, landing, { attempt, durationMs: Date.now() - startedAt }),
        ...(started === undefined ? {} : { startedAgain: true }),
      };
    }
    if (landing.host !== input.sourceHost || landing.migration === null)
      return { outcome: 'failed', reason: landing.reason, attempts: attempt };
    // Still on the failed host after a failed rebuild: another evacuate may find another destination.
    retryAfterMigrationId = landing.migration.id;
    statusBefore = landing.status;
    lastReason = landing.reason;
  }
  return {
    outcome: 'failed',
    reason: `${lastReason}; gave up after ${input.maxAttempts} evacuations (${workflowInfo().workflowId})`,
    attempts: input.maxAttempts,
  };
}

function landed(
  start: Exclude<EvacuationStart, { outcome: 'notOnSourceHost' | 'previousEvacuationFailed' }>,
  landing: Extract<LandingReport, { outcome: 'landed' }>,
  facts: { attempt: number; durationMs: number },
): EvacuationOutcome {
  return {
    outcome: 'landed',
    host: landing.host,
    durationMs: facts.durationMs,
    attempts: facts.attempt,
    migrationId: landing.migration.id,
    ...(start.outcome === 'requested' ? {} : { foundInNova: { requestId: start.requestId } }),
  };
}

/** Landed stopped (2.95+) though it ran before: start it and prove it ACTIVE where it landed. */
async function startAgain(
  input: EvacuationInput,
  board: WaitingBoard,
): Promise<LandingReport | { gaveUp: string }> {
  const started = await patiently(board, `start ${input.name} (${input.instanceId}) again`, () =>
    startInstance(input.instanceId),
  );
  if ('gaveUp' in started)
    return { gaveUp: `landed stopped, and could not be started again: ${started.gaveUp}` };
  const running = await patiently(board, `see ${input.name} (${input.instanceId}) running`, () =>
    verifyLanding({
      instanceId: input.instanceId,
      sourceHost: input.sourceHost,
      statusBefore: 'ACTIVE',
      incidentStartedAt: input.incidentStartedAt,
      doesEvacuateStopInstances: false,
    }),
  );
  if ('gaveUp' in running)
    return { gaveUp: `landed stopped, was started, but is not running: ${running.gaveUp}` };
  return running.outcome === 'landed'
    ? running
    : { gaveUp: `landed stopped, was started, but is not running: ${running.reason}` };
}

/**
 * A step that waits out Nova's absence (docs/design.md#i9-liveness); an activity that failed for
 * good ends the evacuation as an explained failure, never silently
 * (docs/design.md#i3-nothing-silently-lost).
 */
async function patiently<T>(
  board: WaitingBoard,
  step: string,
  call: () => Promise<T>,
): Promise<T | { gaveUp: string }> {
  try {
    return await untilAnswered(step, call, board, INSTANCE_GONE);
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    return { gaveUp: error.cause?.message ?? error.message };
  }
}
