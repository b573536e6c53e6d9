import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from '../../../lib/bounded-concurrency.ts';

/** Work whose completion the test controls, recording how many run at once. */
function controlledWork() {
  const release = new Map<number, () => void>();
  let running = 0;
  let mostAtOnce = 0;
  const started: number[] = [];
  const work = async (item: number): Promise<string> => {
    started.push(item);
    running += 1;
    mostAtOnce = Math.max(mostAtOnce, running);
    await new Promise<void>((resolve) => release.set(item, resolve));
    running -= 1;
    return `done ${item}`;
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { work, release, started, settle, mostAtOnce: () => mostAtOnce };
}

describe('mapWithConcurrency', () => {
  it('never runs more than the limit at once, starts items in order as slots free, and keeps results in item order', async () => {
    const { work, release, started, settle, mostAtOnce } = controlledWork();
    const all = mapWithConcurrency([1, 2, 3, 4, 5], 2, work);
    await settle();
    expect(started).toEqual([1, 2]);
    release.get(2)?.();
    await settle();
    expect(started).toEqual([1, 2, 3]);
    for (const item of [1, 3, 4, 5]) {
      await settle();
      release.get(item)?.();
    }
    expect(await all).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(mostAtOnce()).toBe(2);
  });

  it('starts every item at once when the limit is above their number', async () => {
    const { work, release, started, settle, mostAtOnce } = controlledWork();
    const all = mapWithConcurrency([1, 2, 3], 8, work);
    await settle();
    expect(started).toEqual([1, 2, 3]);
    for (const item of [3, 1, 2]) release.get(item)?.();
    expect(await all).toEqual(['done 1', 'done 2', 'done 3']);
    expect(mostAtOnce()).toBe(3);
  });

  it('rejects with the error of an item that fails', async () => {
    const work = (item: number): Promise<number> =>
      item === 2 ? Promise.reject(new Error('BMC 2 refused')) : Promise.resolve(item);
    await expect(mapWithConcurrency([1, 2, 3], 2, work)).rejects.toThrow('BMC 2 refused');
  });

  it('runs nothing for no items', async () => {
    expect(
      await mapWithConcurrency([], 4, () => Promise.reject(new Error('must not run'))),
    ).toEqual([]);
  });

  it('refuses a limit that would run nothing', async () => {
    await expect(mapWithConcurrency([1], 0, () => Promise.resolve(1))).rejects.toThrow(
      'concurrency limit must be a positive integer, not 0',
    );
  });
});
