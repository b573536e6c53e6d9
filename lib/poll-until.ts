// Waiting for something outside our control (a BMC to read Off, a process to print a line, a
// simulator to reach a state) is always the same loop; one copy keeps the deadline arithmetic and
// the timeout's wording the same everywhere. Only the global setTimeout, so lib/ stays free of
// imports. Not for workflow code: a workflow waits with @temporalio/workflow's sleep or condition.

export interface PollOptions {
  /** From the call; `Infinity` leaves the bound to the caller (say a test's own timeout). */
  timeoutMs: number;
  /** The pause between two checks; the last pause is cut short so no check comes after the deadline. */
  intervalMs: number;
  /** Pause before the first check too, for a caller that has just read the state itself. */
  pauseFirst?: boolean;
  /** The timeout's message instead of the default, built at the timeout so it can tell what was last seen. */
  onTimeout?: () => string;
  /** Ends the wait at once, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

/** The deadline passed before `check` returned a value. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';

  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    message = `timed out after ${timeoutMs / 1000} s waiting for ${what}`,
  ) {
    super(message);
  }
}

/**
 * Calls `check` until it returns something other than `undefined`, pausing `intervalMs` between
 * calls; throws a {@link PollTimeoutError} once a check ends at or after the deadline without a value.
 * An error `check` throws ends the wait with that error.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  options: PollOptions,
): Promise<T> {
  const { timeoutMs, intervalMs, signal } = options;
  if (Number.isNaN(timeoutMs) || timeoutMs < 0)
    throw new RangeError(`timeoutMs must be 0 or more, not ${timeoutMs}`);
  if (!Number.isFinite(intervalMs) || intervalMs < 0)
    throw new RangeError(`intervalMs must be a finite 0 or more, not ${intervalMs}`);
  const deadline = Date.now() + timeoutMs;
  const pause = (): Promise<void> =>
    pauseFor(Math.min(intervalMs, Math.max(0, deadline - Date.now())), signal);
  signal?.throwIfAborted();
  if (options.pauseFirst === true) await pause();
  for (;;) {
    signal?.throwIfAborted();
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new PollTimeoutError(what, timeoutMs, options.onTimeout?.());
    await pause();
  }
}

function pauseFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal === undefined) {
      setTimeout(resolve, ms);
      return;
    }
    // The check may have been under way when the signal fired; its abort event is already gone.
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const aborted = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal.addEventListener('abort', aborted, { once: true });
  });
}
