import { describe, expect, it } from 'vitest';
import type { ReportSuppression } from '../../../contracts/storm-guard-messages.ts';
import {
  activeSuppression,
  msUntilNextExpiry,
  suppressedBecause,
  withoutExpired,
} from '../../../domain/report-suppression.ts';

const NOW = Date.parse('2026-12-07T12:00:00Z');

const suppression = (host: string, untilMinutes: number): ReportSuppression => ({
  host,
  incidentId: `incident/${host}/run-1`,
  operator: 'dave',
  reason: 'decommissioned',
  abortedAt: '2026-12-07T11:00:00.000Z',
  until: new Date(NOW + untilMinutes * 60_000).toISOString(),
  suppressedReports: 0,
});

describe('suppression of reports after an abort', () => {
  it('suppresses a host until its time passes, and only that host', () => {
    const list = [suppression('cmp-01', 10), suppression('cmp-02', -1)];
    expect(activeSuppression(list, 'cmp-01', NOW)?.host).toBe('cmp-01');
    expect(activeSuppression(list, 'cmp-02', NOW)).toBeUndefined();
    expect(activeSuppression(list, 'cmp-03', NOW)).toBeUndefined();
    expect(withoutExpired(list, NOW).map((entry) => entry.host)).toEqual(['cmp-01']);
  });

  it('wakes the guard when the next suppression expires, and not at all without one', () => {
    expect(msUntilNextExpiry([suppression('a', 10), suppression('b', 5)], NOW)).toBe(300_000);
    expect(msUntilNextExpiry([], NOW)).toBeUndefined();
  });

  it('answers who aborted, when, why, and what lifts it', () => {
    expect(suppressedBecause(suppression('cmp-01', 10))).toBe(
      'suppressed: aborted by dave at 2026-12-07T11:00:00.000Z because decommissioned; reports of cmp-01 start nothing until its alert resolves or 2026-12-07T12:10:00.000Z, or until: lazarus unsuppress cmp-01 --reason TEXT',
    );
  });
});
