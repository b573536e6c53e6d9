// One attempt of evacuateInstance, and what makes a heartbeat timeout of seconds safe for it
// (docs/design.md#a-worker-dying-mid-evacuation). Temporal starts the next attempt once the server
// stops hearing from this one, whether or not it still runs, so:
// - the evacuate POST leaves only after the server confirmed this attempt, with a heartbeat it
//   answered, and the heartbeat recorded that this attempt may send; it is abandoned as soon as the
//   server may have timed the attempt out (the last confirmed heartbeat's send time plus the
//   heartbeat timeout), so no POST of this attempt is in flight once the next one can start;
// - an attempt that follows one that may have sent (the last recorded heartbeat says so, or the
//   workflow says an earlier call of the activity failed) sends nothing before Nova's recording
//   margin has passed since it started: by then Nova has recorded whatever the earlier attempt's
//   POST made it accept, and the pre-check finds it.
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncLocalStorage } from '@temporalio/activity';
import type { Context } from '@temporalio/activity';
import { EVACUATE_RECORDING_MARGIN_MS, LazarusError } from '../errors.ts';
import { timeLeftInAttemptMs } from './activity-support.ts';

/** What every heartbeat of an evacuateInstance attempt records, for the attempts after it. */
interface EvacuateHeartbeat {
  mayHaveSentEvacuate: boolean;
}

export interface EvacuateAttempt {
  /** Epoch ms at which the attempt's startToClose ends; Infinity outside an activity. */
  readonly endsAt: number;
  /**
   * When an earlier attempt may have sent an evacuate, waits until Nova's recording margin has
   * passed since this attempt started, and says true; false at once when none could have.
   */
  waitOutEarlierEvacuates(): Promise<boolean>;
  /** Runs `send` (the POST) once the server confirmed this attempt; `abandon` aborts when that confirmation may have lapsed. */
  sending<T>(send: (abandon: AbortSignal | undefined) => Promise<T>): Promise<T>;
}

/**
 * Runs `use` as one evacuateInstance attempt, heartbeating through it when it has a heartbeat
 * timeout. `isAfterFailedCall`: an earlier activity of this evacuation failed, so one of its
 * attempts may have sent, and this activity cannot read their heartbeats.
 */
export async function asEvacuateAttempt<T>(
  use: (attempt: EvacuateAttempt) => Promise<T>,
  isAfterFailedCall = false,
): Promise<T> {
  const context = asyncLocalStorage.getStore();
  const startedAt = Date.now();
  const owesMargin = isAfterFailedCall || mayHaveSent(context?.info.heartbeatDetails);
  const attempt = {
    endsAt: startedAt + timeLeftInAttemptMs(),
    async waitOutEarlierEvacuates() {
      if (!owesMargin) return false;
      await sleep(Math.max(0, startedAt + EVACUATE_RECORDING_MARGIN_MS - Date.now()));
      return true;
    },
  };
  const heartbeatTimeoutMs = context?.info.heartbeatTimeoutMs;
  // Without a heartbeat timeout only startToClose ends the attempt, and `endsAt` bounds the POST.
  if (context === undefined || heartbeatTimeoutMs === undefined)
    return use({ ...attempt, sending: (send) => send(undefined) });
  const confirmed = new ConfirmedAttempt(context, heartbeatTimeoutMs, owesMargin);
  try {
    return await use({ ...attempt, sending: (send) => confirmed.sending(send) });
  } finally {
    confirmed.stop();
  }
}

function mayHaveSent(details: unknown): boolean {
  return (
    typeof details === 'object' &&
    details !== null &&
    (details as Partial<EvacuateHeartbeat>).mayHaveSentEvacuate === true
  );
}

/**
 * Heartbeats the server answers (through the worker's client, not the SDK's fire-and-forget
 * heartbeat), one after another so that their details arrive in order, four per heartbeat timeout.
 */
class ConfirmedAttempt {
  /** Local epoch ms before which the server cannot have timed this attempt out by heartbeat. */
  #confirmedUntil = Number.NEGATIVE_INFINITY;
  #mayHaveSent: boolean;
  #last: Promise<boolean> = Promise.resolve(true);
  readonly #ticker: NodeJS.Timeout;

  constructor(
    private readonly context: Context,
    private readonly heartbeatTimeoutMs: number,
    earlierMayHaveSent: boolean,
  ) {
    // Once any attempt may have sent, every later heartbeat says so: a later attempt's heartbeat
    // must not erase what the next one needs to know.
    this.#mayHaveSent = earlierMayHaveSent;
    // The first beat a quarter timeout in: most attempts end sooner, having made one, before the POST.
    this.#ticker = setInterval(() => void this.#confirm(), heartbeatTimeoutMs / 4);
  }

  stop(): void {
    clearInterval(this.#ticker);
  }

  async sending<T>(send: (abandon: AbortSignal) => Promise<T>): Promise<T> {
    this.#mayHaveSent = true;
    if (!(await this.#confirm()))
      throw new LazarusError(
        'CloudUnavailable',
        'evacuate not sent: Temporal did not confirm this activity attempt (its heartbeat went unanswered); the next attempt reads Nova again',
        {},
      );
    const abandon = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const abandonOnceLapsed = (): void => {
      const leftMs = this.#confirmedUntil - Date.now();
      if (leftMs > 0) timer = setTimeout(abandonOnceLapsed, leftMs);
      else
        abandon.abort(
          new DOMException(
            'abandoned: Temporal may have timed out this activity attempt',
            'TimeoutError',
          ),
        );
    };
    abandonOnceLapsed();
    try {
      return await send(abandon.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One heartbeat after the ones before it; true once the server answered it. */
  #confirm(): Promise<boolean> {
    const details: EvacuateHeartbeat = { mayHaveSentEvacuate: this.#mayHaveSent };
    this.#last = this.#last.then(async () => {
      const sentAt = Date.now();
      try {
        await this.context.client.activity.heartbeat(this.context.info.taskToken, details);
        // The server reset its heartbeat timer when it took this one, after `sentAt`.
        this.#confirmedUntil = sentAt + this.heartbeatTimeoutMs;
        return true;
      } catch {
        // Unreachable, or this attempt is no longer current: the confirmation simply lapses.
        return false;
      }
    });
    return this.#last;
  }
}
