// How a step that meets Nova away, or refusing, waits before trying again and how the wait reads
// (docs/design.md#waiting-out-nova).
import { describe, expect, it } from 'vitest';
import { describeWaiting, retryDelayMs, waitKindOf } from '../../../domain/outage-waits.ts';

describe('waiting out Nova', () => {
  it('sorts failures: outages, answers an operator must fix, refusals until Nova is done, and the final ones', () => {
    expect(waitKindOf('CloudUnavailable')).toBe('outage');
    expect(waitKindOf('PermissionDenied')).toBe('needsOperator');
    expect(waitKindOf('EvacuationsNotCompleted')).toBe('notYet');
    expect(waitKindOf('NoValidHost')).toBe('final');
    expect(waitKindOf('PermissionDenied', new Set(['PermissionDenied']))).toBe('final');
    expect(waitKindOf(undefined)).toBe('final');
  });

  it('doubles the wait from 2 s to a minute in an outage, and from 30 s to five minutes otherwise', () => {
    expect([1, 2, 6, 7].map((tries) => retryDelayMs('outage', tries))).toEqual([
      2_000, 4_000, 60_000, 60_000,
    ]);
    expect([1, 2, 4, 5].map((tries) => retryDelayMs('notYet', tries))).toEqual([
      30_000, 60_000, 240_000, 300_000,
    ]);
  });

  it('says why it waits, since when, and the command that cuts the wait short', () => {
    expect(
      describeWaiting(
        {
          step: 'clear forced_down on cmp-07',
          kind: 'notYet',
          since: '2026-12-07T12:03:00.000Z',
          tries: 2,
          lastError: 'done evacuation migration records remain',
          nextTryAt: '2026-12-07T12:04:30.000Z',
        },
        'cmp-07',
      ),
    ).toBe(
      'waiting to clear forced_down on cmp-07: Nova refuses until it has finished work of its own since 2026-12-07T12:03:00.000Z (2 tries): done evacuation migration records remain; next try 2026-12-07T12:04:30.000Z, or now with: lazarus retry cmp-07',
    );
  });
});
