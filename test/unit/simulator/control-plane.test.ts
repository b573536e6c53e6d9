// Nova's conductor and scheduler take a bounded number of evacuations at once; the rest wait in
// order (docs/nova-and-bmc-facts.md#nova-capacity).
import { describe, expect, it } from 'vitest';
import { ControlPlane } from '../../../simulator/world/control-plane.ts';

/** A clock that runs its tasks when told, in time order. */
function manualClock() {
  let now = 0;
  const tasks: { at: number; task: () => void }[] = [];
  return {
    schedule(ms: number, task: () => void) {
      tasks.push({ at: now + ms, task });
    },
    runUntilIdle() {
      for (;;) {
        tasks.sort((a, b) => a.at - b.at);
        const next = tasks.shift();
        if (next === undefined) return;
        now = next.at;
        next.task();
      }
    },
    now: () => now,
  };
}

describe('ControlPlane', () => {
  it('works on `concurrency` evacuations at once and starts the next one as one ends, in order', () => {
    const clock = manualClock();
    const plane = new ControlPlane(clock, { concurrency: 2, workMs: 100 });
    const done: [string, number][] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      plane.submit(() => {
        done.push([name, clock.now()]);
      });
    expect(plane.queued).toBe(3);
    clock.runUntilIdle();
    expect(done).toEqual([
      ['a', 100],
      ['b', 100],
      ['c', 200],
      ['d', 200],
      ['e', 300],
    ]);
    expect(plane.queued).toBe(0);
  });

  it('has no limit at Infinity', () => {
    const clock = manualClock();
    const plane = new ControlPlane(clock, { concurrency: Number.POSITIVE_INFINITY, workMs: 100 });
    const done: number[] = [];
    for (let i = 0; i < 50; i += 1)
      plane.submit(() => {
        done.push(clock.now());
      });
    clock.runUntilIdle();
    expect(new Set(done)).toEqual(new Set([100]));
  });

  it('refuses a concurrency below one', () => {
    expect(() => new ControlPlane(manualClock(), { concurrency: 0, workMs: 1 })).toThrow(
      'at least 1',
    );
  });
});
