// The flapping guard's rules (docs/design.md#flapping-guard): a host's failures within the window,
// counted once per incident; the incident that reaches the limit is not re-admitted automatically;
// the next one waits for an operator (the storm guard's side: storm-guard-policy.test.ts).
import { describe, expect, it } from 'vitest';
import type { FlappingLimits, HostFailure } from '../../../contracts/storm-guard-messages.ts';
import {
  failuresOf,
  flappingHold,
  flappingReadmissionHold,
  withFailure,
} from '../../../domain/flapping-guard.ts';

const NOW = Date.parse('2026-12-08T12:00:00Z');
const hoursAgo = (hours: number): string => new Date(NOW - hours * 3_600_000).toISOString();
const LIMITS: FlappingLimits = { failures: 3, windowMs: 24 * 3_600_000 };

const failure = (host: string, run: string, hours: number): HostFailure => ({
  host,
  incidentId: `incident/${host}/${run}`,
  at: hoursAgo(hours),
});
const incident = (host: string, run: string) => ({ host, incidentId: `incident/${host}/${run}` });

describe('the failures the flapping guard counts', () => {
  it('counts each incident once, at its first request, and forgets those past the window', () => {
    const failures = [failure('cmp-01', 'a', 30), failure('cmp-01', 'b', 5)];
    expect(withFailure(failures, failure('cmp-01', 'b', 0), LIMITS)).toEqual([
      failure('cmp-01', 'b', 5),
    ]);
    expect(withFailure(failures, failure('cmp-01', 'c', 0), LIMITS)).toEqual([
      failure('cmp-01', 'b', 5),
      failure('cmp-01', 'c', 0),
    ]);
  });

  it('lists one host’s failures within the window, oldest first', () => {
    const failures = [
      failure('cmp-01', 'c', 1),
      failure('cmp-02', 'a', 2),
      failure('cmp-01', 'b', 3),
    ];
    expect(failuresOf(failures, 'cmp-01', NOW, LIMITS).map((f) => f.incidentId)).toEqual([
      'incident/cmp-01/b',
      'incident/cmp-01/c',
    ]);
  });
});

describe('a flapping host', () => {
  const twice = [failure('cmp-01', 'a', 20), failure('cmp-01', 'b', 10)];
  const thrice = [...twice, failure('cmp-01', 'c', 2)];

  it('is re-admitted automatically until its failures reach the limit, this one included', () => {
    expect(flappingReadmissionHold(twice, incident('cmp-01', 'b'), NOW, LIMITS)).toBeUndefined();
    expect(flappingReadmissionHold(thrice, incident('cmp-01', 'c'), NOW, LIMITS)).toBe(
      `host cmp-01 failed 3 times within the last 24 h (${hoursAgo(20)} (incident/cmp-01/a), ${hoursAgo(10)} (incident/cmp-01/b), ${hoursAgo(2)} (incident/cmp-01/c)), and the limit is 3: it is not re-admitted automatically; check its hardware, then lazarus readmit cmp-01`,
    );
  });

  it('makes its next incident wait for an operator, with its failures as the reason', () => {
    const next = incident('cmp-01', 'd');
    const failures = withFailure(thrice, { ...next, at: hoursAgo(0) }, LIMITS);
    expect(flappingHold(twice, incident('cmp-01', 'c'), NOW, LIMITS)).toBeUndefined();
    expect(flappingHold(failures, next, NOW, LIMITS)).toBe(
      `host cmp-01 failed 3 times within the last 24 h before this incident (${hoursAgo(20)} (incident/cmp-01/a), ${hoursAgo(10)} (incident/cmp-01/b), ${hoursAgo(2)} (incident/cmp-01/c)), and the limit is 3: it may be flapping; check its hardware, then lazarus approve cmp-01`,
    );
    // A day after its first failure it counts 2 again: it is judged afresh.
    expect(flappingHold(failures, next, NOW + 5 * 3_600_000, LIMITS)).toBeUndefined();
  });
});
