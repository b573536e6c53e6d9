// The run's worker processes: started, SIGKILLed at random or by their own kill point, started again
// after a delay, sometimes two at once competing for the same task queue.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GuardedProcess } from '../infra/process/guarded-process.ts';
import { spawnGuarded } from '../infra/process/guarded-process.ts';
import type { SeededRandom } from '../simulator/random.ts';
import { pollUntil } from '../lib/poll-until.ts';
import type { KillPoint } from './kill-points.ts';
import { formatKillPoint, KILL_AT_VARIABLE } from './kill-points.ts';
import type { Timeline } from './timeline.ts';
import { READY_LINE } from './worker-protocol.ts';

const CHAOS_WORKER = fileURLToPath(new URL('./chaos-worker.ts', import.meta.url));
const SIGKILL_STATUS = 128 + 9;

interface WorkerProcess {
  name: string;
  process: GuardedProcess;
  logFile: string;
  pid?: number;
  /** Set when the harness kills or stops it, so its exit is expected. */
  isEnding: boolean;
  killPoint?: KillPoint;
}

export interface WorkerFleetOptions {
  configPath: string;
  env: NodeJS.ProcessEnv;
  logDirectory: string;
  timeline: Timeline;
  random: SeededRandom;
}

export class WorkerFleet {
  readonly #workers = new Set<WorkerProcess>();
  readonly #restarts = new Set<NodeJS.Timeout>();
  #started = 0;
  #isStopped = false;
  /** SIGKILLs that reached a worker: the harness's and the kill points'. */
  kills = 0;
  boundaryKills = 0;
  /** Exits nobody asked for (a crash, not a kill); each one is in the timeline. */
  unexpectedExits = 0;

  constructor(private readonly options: WorkerFleetOptions) {}

  /** Starts one worker and waits until it polls (or has died trying, which its exit handler deals with). */
  async start(killPoint?: KillPoint): Promise<void> {
    this.#started += 1;
    const name = `worker-${this.#started}`;
    const logFile = join(this.options.logDirectory, `${name}.log`);
    // Only the worker given a kill point has the variable: a restarted one must not die again there.
    const inherited = Object.fromEntries(
      Object.entries(this.options.env).filter(([name]) => name !== KILL_AT_VARIABLE),
    );
    const env =
      killPoint === undefined
        ? inherited
        : { ...inherited, [KILL_AT_VARIABLE]: formatKillPoint(killPoint) };
    const process = spawnGuarded(
      globalThis.process.execPath,
      ['--import', 'tsx', CHAOS_WORKER, '--config', this.options.configPath],
      { logFile, graceMs: 3_000, env },
    );
    const worker: WorkerProcess = {
      name,
      process,
      logFile,
      isEnding: false,
      ...(killPoint === undefined ? {} : { killPoint }),
    };
    this.#workers.add(worker);
    void process.exited.then((status) => {
      this.#exited(worker, status);
    });
    this.options.timeline.note(
      `${name} starting${killPoint === undefined ? '' : `, to die at ${formatKillPoint(killPoint)}`}`,
    );
    const ready = new RegExp(`${READY_LINE} (\\d+)`);
    await pollUntil(
      `${name} to poll`,
      async () => {
        if (process.hasExited()) return 'exited';
        const match = ready.exec(await readFile(logFile, 'utf8').catch(() => ''));
        if (match === null) return undefined;
        worker.pid = Number(match[1]);
        return 'polling';
      },
      {
        timeoutMs: 180_000,
        intervalMs: 100,
        onTimeout: () =>
          `${name} did not start polling within 180 s (a very loaded machine?):\n${process.outputTail()}`,
      },
    );
  }

  /**
   * SIGKILLs a polling worker chosen by the seed, waiting a little for one to be up. The one armed
   * with a kill point is spared while another can die, so that its boundary is reached; false
   * when no worker polled within the wait.
   */
  async killOne(restartAfterMs: number): Promise<boolean> {
    const polling = (): WorkerProcess[] =>
      [...this.#workers].filter(
        (w) => w.pid !== undefined && !w.isEnding && !w.process.hasExited(),
      );
    const unarmed = await pollUntil(
      'an unarmed worker',
      () => {
        const candidates = polling().filter((w) => w.killPoint === undefined);
        return candidates.length > 0 ? candidates : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 100 },
    ).catch(() => polling());
    const victim = unarmed[this.options.random.below(unarmed.length)];
    if (victim?.pid === undefined) return false;
    victim.isEnding = true;
    globalThis.process.kill(victim.pid, 'SIGKILL');
    this.kills += 1;
    this.options.timeline.note(
      `SIGKILL ${victim.name} (pid ${victim.pid}); a new worker in ${restartAfterMs} ms`,
    );
    this.#restartAfter(restartAfterMs);
    return true;
  }

  /** At least one worker up (after the chaos, so incidents can finish). */
  async ensureOne(): Promise<void> {
    const isAnyUp = [...this.#workers].some((w) => !w.isEnding && !w.process.hasExited());
    if (!isAnyUp) await this.start();
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    for (const timer of this.#restarts) clearTimeout(timer);
    await Promise.all(
      [...this.#workers].map(async (worker) => {
        worker.isEnding = true;
        await worker.process.stop();
      }),
    );
  }

  #exited(worker: WorkerProcess, status: number): void {
    this.#workers.delete(worker);
    if (worker.isEnding || this.#isStopped) return;
    if (status === SIGKILL_STATUS && worker.killPoint !== undefined) {
      this.kills += 1;
      this.boundaryKills += 1;
      this.options.timeline.note(
        `${worker.name} SIGKILLed itself at ${formatKillPoint(worker.killPoint)}`,
      );
    } else {
      this.unexpectedExits += 1;
      this.options.timeline.note(
        `${worker.name} exited by itself with status ${status}: ${worker.process.outputTail(3)}`,
      );
    }
    this.#restartAfter(200 + this.options.random.below(4_800));
  }

  #restartAfter(delayMs: number): void {
    const timer = setTimeout(() => {
      this.#restarts.delete(timer);
      if (this.#isStopped) return;
      this.start().catch((error: unknown) => {
        this.options.timeline.note(`a worker failed to start: ${String(error)}`);
      });
    }, delayMs);
    this.#restarts.add(timer);
  }
}
