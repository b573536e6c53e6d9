import { describe, expect, it } from 'vitest';
import { parseAge, replayQuery } from '../../../../apps/cli/commands/replay-command.ts';

describe('the options of lazarus replay', () => {
  it('reads --closed-since in minutes, hours or days, and 0 as none', () => {
    expect(parseAge('30m')).toBe(30 * 60_000);
    expect(parseAge('12h')).toBe(12 * 3_600_000);
    expect(parseAge('7d')).toBe(7 * 86_400_000);
    expect(parseAge('0')).toBe(0);
  });

  it('refuses an age without a unit, with another unit or written out', () => {
    for (const text of ['7', '1w', '-1d', '1.5h', 'a week', '7 d', ''])
      expect({ text, age: parseAge(text) }).toEqual({ text, age: undefined });
  });
});

describe('the runs lazarus replay lists', () => {
  it("are the task queue's open runs, and those closed since the window began", () => {
    expect(replayQuery('lazarus', new Date('2026-12-01T00:00:00.000Z'))).toBe(
      'TaskQueue = "lazarus" AND (ExecutionStatus = "Running" OR CloseTime >= "2026-12-01T00:00:00.000Z")',
    );
    expect(replayQuery('lazarus', undefined)).toBe(
      'TaskQueue = "lazarus" AND ExecutionStatus = "Running"',
    );
  });
});
