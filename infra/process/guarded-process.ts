// Starts long-running helper processes (the Temporal dev server, later the simulator and workers)
// so that they can never outlive the process that started them, whatever way it ends.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GUARDIAN = fileURLToPath(new URL('./child-guardian.js', import.meta.url));

export interface GuardedProcessOptions {
  /** Where the command's stdout and stderr go. */
  logFile: string;
  /** Time between the stop signal and SIGKILL when stopping. */
  graceMs: number;
  /** How the command is asked to stop; SIGTERM unless it means something slower (PostgreSQL's). */
  stopSignal?: 'SIGTERM' | 'SIGINT';
  env?: NodeJS.ProcessEnv;
}

export interface GuardedProcess {
  /** The guardian's pid; the command runs as its only child (benchmarks read its memory from /proc). */
  readonly guardianPid: number | undefined;
  /** Resolves with the exit status once the command has ended. */
  readonly exited: Promise<number>;
  readonly hasExited: () => boolean;
  /** The stop signal, then SIGKILL after the grace period; resolves once the command is gone. */
  stop(): Promise<number>;
  /** SIGKILLs the command at once, as a machine's death would; resolves once it is gone. */
  kill(): Promise<number>;
  /** The last lines the command wrote, for error messages. */
  outputTail(lines?: number): string;
}

export function spawnGuarded(
  command: string,
  args: readonly string[],
  options: GuardedProcessOptions,
): GuardedProcess {
  const logFd = openSync(options.logFile, 'a');
  // The guardian's stdin is a pipe we never write to: it closes when this process dies, even by
  // SIGKILL, and the guardian then terminates the command.
  const stop = `${options.graceMs}:${options.stopSignal ?? 'SIGTERM'}`;
  const guardian = spawn(process.execPath, [GUARDIAN, stop, command, ...args], {
    stdio: ['pipe', logFd, logFd],
    env: options.env ?? process.env,
  });
  closeSync(logFd);
  let ended = false;
  const exited = new Promise<number>((resolve) => {
    guardian.on('exit', (code, signal) => {
      ended = true;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  return {
    guardianPid: guardian.pid,
    exited,
    hasExited: () => ended,
    async stop() {
      if (!ended) {
        guardian.kill('SIGTERM');
        const backstop = setTimeout(() => guardian.kill('SIGKILL'), options.graceMs + 5_000);
        try {
          return await exited;
        } finally {
          clearTimeout(backstop);
        }
      }
      return exited;
    },
    async kill() {
      // The command is the guardian's only child; the guardian then exits with its status.
      const pid = guardian.pid;
      if (!ended && pid !== undefined) {
        const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
        for (const child of children.split(/\s+/).filter(Boolean))
          process.kill(Number(child), 'SIGKILL');
      }
      return exited;
    },
    outputTail(lines = 20) {
      try {
        return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}
