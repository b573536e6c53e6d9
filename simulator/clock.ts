// Simulated time: real time multiplied by a scale factor, so a 60 s Nova timeout takes 60 ms in a
// test running at timeScale 1000. Every delay in the simulator goes through here, so stop() can
// cancel whatever is still pending.
//
// Durations (heartbeats, timeouts, rebuilds) run in simulated time, but every timestamp a client
// sees is wall-clock time: a client that remembers Date.now() and later asks for
// changes-since=<that> must get exactly the records written since, as with a real Nova.

export interface SimClock {
  readonly timeScale: number;
  /** Simulated epoch milliseconds: what durations are measured in. */
  now(): number;
  /** Real epoch milliseconds: what timestamps in API responses and the ledger show. */
  wallNow(): number;
  /** The wall-clock moment at which simulated instant `simMs` happened. */
  toWall(simMs: number): number;
  /** Runs `task` after `simMs` simulated milliseconds, unless the clock is stopped first. */
  schedule(simMs: number, task: () => void): void;
  /** Resolves after `simMs` simulated milliseconds, or as soon as the clock stops. */
  sleep(simMs: number): Promise<void>;
  stop(): void;
}

export function createClock(timeScale: number): SimClock {
  const origin = Date.now();
  const realStart = performance.now();
  // Scheduled tasks are dropped on stop; sleepers are woken, so no request handler hangs forever.
  const tasks = new Set<NodeJS.Timeout>();
  const sleepers = new Map<NodeJS.Timeout, () => void>();
  let stopped = false;

  function schedule(simMs: number, task: () => void): void {
    if (stopped) return;
    const timer = setTimeout(() => {
      tasks.delete(timer);
      task();
    }, simMs / timeScale);
    tasks.add(timer);
  }

  function sleep(simMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (stopped) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        sleepers.delete(timer);
        resolve();
      }, simMs / timeScale);
      sleepers.set(timer, resolve);
    });
  }

  return {
    timeScale,
    now: () => origin + (performance.now() - realStart) * timeScale,
    wallNow: () => origin + (performance.now() - realStart),
    toWall: (simMs) => origin + (simMs - origin) / timeScale,
    schedule,
    sleep,
    stop: () => {
      stopped = true;
      for (const timer of tasks) clearTimeout(timer);
      tasks.clear();
      for (const [timer, wake] of sleepers) {
        clearTimeout(timer);
        wake();
      }
      sleepers.clear();
    },
  };
}
