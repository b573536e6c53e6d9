// Backoff with full jitter: each wait is random between zero and a capped exponential bound.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../../activities/openstack/read-retries.ts';

const policy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelayMs', () => {
  it('doubles the bound with each retry until the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('spreads waits over the whole range below the bound', () => {
    expect(backoffDelayMs(2, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(2, policy, () => 0.25)).toBe(100);
  });
});
