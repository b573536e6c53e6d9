// A tiny promise pool: the incident evacuates many instances, but only a few at a time, so one
// failed host cannot flood Nova's conductor and scheduler. Pure promise chaining, so it is
// deterministic inside a workflow (it starts work in item order and never reads a clock).

/** Runs `work` on every item with at most `limit` running at once, starting them in item order; results keep item order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency limit must be a positive integer, not ${limit}`);
  const results: R[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next; index < items.length; index = next) {
      next += 1;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
