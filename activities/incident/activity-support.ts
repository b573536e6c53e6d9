// What every incident activity does at its edge: typed failures cross into workflow history as
// ApplicationFailures (retryable or not as activities/errors.ts decides), and long waits heartbeat.
import { asyncLocalStorage } from '@temporalio/activity';
import { LazarusError } from '../errors.ts';

/** Runs an activity's body; a LazarusError leaves it as the ApplicationFailure the workflow branches on. */
export async function withTypedFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof LazarusError) throw error.toApplicationFailure();
    throw error;
  }
}

/**
 * Heartbeats until `work` settles, so that a short heartbeat timeout tells a worker that died
 * (SIGKILLed, its machine gone) from a BMC or a Nova that is merely slow: the attempt is retried
 * elsewhere within seconds instead of at its startToClose (docs/design.md#a-worker-dying-mid-evacuation).
 * Every `intervalMs`, by default four times per heartbeat timeout; outside an activity (a direct
 * call), or in one without a heartbeat timeout, it only waits.
 */
export async function heartbeatWhile<T>(work: Promise<T>, intervalMs?: number): Promise<T> {
  const context = asyncLocalStorage.getStore();
  const everyMs = intervalMs ?? (context?.info.heartbeatTimeoutMs ?? 0) / 4;
  if (context === undefined || everyMs <= 0) return work;
  const timer = setInterval(() => {
    context.heartbeat();
  }, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * How long this activity attempt has before its startToClose deadline; Infinity outside an activity.
 * Counted from when the attempt was scheduled, as the SDK does not say when it started, so it errs
 * short: by the attempt's whole wait in its task queue, which on the rate-limited evacuate queue can
 * be tens of seconds (workflows/activity-options.ts sizes evacuateInstance's startToClose for it).
 */
export function timeLeftInAttemptMs(): number {
  const info = asyncLocalStorage.getStore()?.info;
  return info === undefined
    ? Number.POSITIVE_INFINITY
    : info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs - Date.now();
}
