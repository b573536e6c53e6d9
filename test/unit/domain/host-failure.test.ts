import { describe, expect, it } from 'vitest';
import { failureNamedIn, forcedDownReason } from '../../../domain/host-failure.ts';

const FAILURE = {
  incidentId: 'incident/cmp-07/3f0c2a9e-4b1d-4c55-9a37-0d3c1f7e2b10',
  startedAt: '2025-03-01T10:00:00.000Z',
};

describe('the failure named in a disabled_reason', () => {
  it('reads back the incident and start a force-down wrote', () => {
    const reason = forcedDownReason(FAILURE, 'fenced via redfish at 2025-03-01T10:00:21.000Z');
    expect(reason).toBe(
      'lazarus incident/cmp-07/3f0c2a9e-4b1d-4c55-9a37-0d3c1f7e2b10 since 2025-03-01T10:00:00.000Z: fenced via redfish at 2025-03-01T10:00:21.000Z',
    );
    expect(failureNamedIn(reason, 'cmp-07')).toEqual(FAILURE);
  });

  it('names no failure for a human reason, another host, or a start that is not a time', () => {
    const reason = forcedDownReason(FAILURE, 'fenced manually, confirmed by alice at x');
    expect(failureNamedIn('maintenance: new DIMMs', 'cmp-07')).toBeUndefined();
    expect(failureNamedIn(null, 'cmp-07')).toBeUndefined();
    expect(failureNamedIn(reason, 'cmp-0')).toBeUndefined();
    expect(failureNamedIn(reason, 'cmp-07/x')).toBeUndefined();
    expect(
      failureNamedIn('lazarus incident/cmp-07/abc since soon: fenced via ipmi at t', 'cmp-07'),
    ).toBeUndefined();
  });
});
