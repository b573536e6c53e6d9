// Retries for reads only: a GET that failed transiently is repeated with exponential backoff and
// full jitter, so many workers recovering at once do not hammer a struggling API in step.
// State-changing calls never come through here (an evacuate repeated blindly can damage the
// instance: docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate).
import { setTimeout as sleep } from 'node:timers/promises';
import { LazarusError } from '../errors.ts';
import type { OpenStackLogger } from './logger.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000 };

/** "Full jitter": uniformly between 0 and the capped exponential delay for this attempt. */
export function backoffDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  return random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
}

/**
 * Runs `read` until it succeeds, fails with an error the error table calls final, or runs out of
 * attempts; each retry is logged with the failure that caused it.
 */
export async function retryRead<T>(
  read: () => Promise<T>,
  policy: RetryPolicy,
  logger: OpenStackLogger,
): Promise<T> {
  for (let retry = 0; ; retry += 1) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof LazarusError) || !error.retryable || retry + 1 >= policy.attempts)
        throw error;
      const delayMs = backoffDelayMs(retry, policy);
      logger.warn(`${error.message} (retrying in ${Math.round(delayMs)} ms)`, {
        type: error.type,
        attempt: retry + 1,
      });
      await sleep(delayMs);
    }
  }
}
