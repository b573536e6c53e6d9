import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pollUntil, PollTimeoutError } from '../../../lib/poll-until.ts';

// Fake timers fake Date.now as well, so every check's time is exact.
beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A check that answers `answers` in turn (then undefined) and records when it was called. */
function scriptedCheck<T>(...answers: (T | undefined)[]) {
  const calledAt: number[] = [];
  const check = (): Promise<T | undefined> => {
    calledAt.push(Date.now());
    return Promise.resolve(answers[calledAt.length - 1]);
  };
  return { check, calledAt };
}

describe('pollUntil', () => {
  it('checks at once, then every interval, and returns the first value that is not undefined', async () => {
    const { check, calledAt } = scriptedCheck<string>(undefined, undefined, 'ready');
    const waiting = pollUntil('the thing', check, { timeoutMs: 1_000, intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await waiting).toBe('ready');
    expect(calledAt).toEqual([0, 100, 200]);
  });

  it('takes 0, false, null and the empty string as answers: only undefined means not yet', async () => {
    for (const answer of [0, false, null, '']) {
      expect(
        await pollUntil('a falsy answer', () => answer, { timeoutMs: 0, intervalMs: 10 }),
      ).toBe(answer);
    }
  });

  it('makes its last check at the deadline, not after it, then says what it waited for', async () => {
    const { check, calledAt } = scriptedCheck<string>();
    const waiting = pollUntil('cmp-01 to read Off', check, { timeoutMs: 250, intervalMs: 100 });
    const failure = expect(waiting).rejects.toThrow(
      new PollTimeoutError('cmp-01 to read Off', 250),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    await failure;
    expect(calledAt).toEqual([0, 100, 200, 250]);
    await expect(waiting).rejects.toThrow('timed out after 0.25 s waiting for cmp-01 to read Off');
  });

  it('builds the timeout message at the timeout when asked, so it can tell what was last seen', async () => {
    let last = 'nothing';
    const check = (): undefined => {
      last = `seen at ${Date.now()}`;
    };
    const waiting = pollUntil('a line', check, {
      timeoutMs: 30,
      intervalMs: 10,
      onTimeout: () => `only ${last}`,
    });
    const failure = expect(waiting).rejects.toThrow(/^only seen at 30$/);
    await vi.advanceTimersByTimeAsync(100);
    await failure;
    await expect(waiting).rejects.toBeInstanceOf(PollTimeoutError);
  });

  it('pauses before the first check when asked, the pause cut short by a nearer deadline', async () => {
    const early = scriptedCheck<string>(undefined, 'Off');
    const waiting = pollUntil('Off', early.check, {
      timeoutMs: 1_000,
      intervalMs: 100,
      pauseFirst: true,
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await waiting).toBe('Off');
    expect(early.calledAt).toEqual([100, 200]);

    const late = scriptedCheck<string>();
    const failing = pollUntil('Off', late.check, {
      timeoutMs: 40,
      intervalMs: 100,
      pauseFirst: true,
    });
    const failure = expect(failing).rejects.toBeInstanceOf(PollTimeoutError);
    await vi.advanceTimersByTimeAsync(1_000);
    await failure;
    expect(late.calledAt).toEqual([1_040]);
  });

  it('ends the wait with the error a check throws, checking no more', async () => {
    let calls = 0;
    const waiting = pollUntil(
      'a BMC',
      () => {
        calls += 1;
        if (calls === 2) throw new Error('wrong credentials');
        return undefined;
      },
      { timeoutMs: 1_000, intervalMs: 10 },
    );
    const failure = expect(waiting).rejects.toThrow('wrong credentials');
    await vi.advanceTimersByTimeAsync(1_000);
    await failure;
    expect(calls).toBe(2);
  });

  it("ends at once when aborted during a pause, with the signal's reason, checking no more", async () => {
    const stop = new AbortController();
    const { check, calledAt } = scriptedCheck<string>();
    const waiting = pollUntil('the demo', check, {
      timeoutMs: 10_000,
      intervalMs: 1_000,
      signal: stop.signal,
    });
    const failure = expect(waiting).rejects.toThrow('interrupted');
    await vi.advanceTimersByTimeAsync(1_500);
    stop.abort(new Error('interrupted'));
    await failure;
    expect(Date.now()).toBe(1_500);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calledAt).toEqual([0, 1_000]);
  });

  it('ends when aborted while a check is under way, and checks nothing when aborted before it starts', async () => {
    const stop = new AbortController();
    const abortingCheck = (): undefined => {
      stop.abort(new Error('interrupted'));
    };
    const waiting = pollUntil('the demo', abortingCheck, {
      timeoutMs: 10_000,
      intervalMs: 1_000,
      signal: stop.signal,
    });
    const failure = expect(waiting).rejects.toThrow('interrupted');
    await vi.advanceTimersByTimeAsync(0);
    await failure;
    expect(Date.now()).toBe(0);

    const never = vi.fn(() => 'value');
    await expect(
      pollUntil('anything', never, { timeoutMs: 10, intervalMs: 1, signal: stop.signal }),
    ).rejects.toThrow('interrupted');
    expect(never).not.toHaveBeenCalled();
  });

  it('waits with no deadline of its own when given Infinity', async () => {
    const { check, calledAt } = scriptedCheck<string>(...Array<undefined>(99), 'late');
    const waiting = pollUntil('something slow', check, { timeoutMs: Infinity, intervalMs: 1_000 });
    await vi.advanceTimersByTimeAsync(100_000);
    expect(await waiting).toBe('late');
    expect(calledAt.at(-1)).toBe(99_000);
  });

  it('refuses a negative timeout or an interval that is not a finite number', async () => {
    await expect(pollUntil('x', () => 1, { timeoutMs: -1, intervalMs: 10 })).rejects.toThrow(
      'timeoutMs must be 0 or more, not -1',
    );
    await expect(pollUntil('x', () => 1, { timeoutMs: 10, intervalMs: Infinity })).rejects.toThrow(
      'intervalMs must be a finite 0 or more, not Infinity',
    );
  });
});
