// The processes of one real-Nova run: long-running servers started through the project's guardian
// (so none outlives us, even if we are SIGKILLed), one-shot setup commands, and readiness polls.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawnGuarded, type GuardedProcess } from '../../infra/process/guarded-process.ts';

export interface Daemon {
  readonly name: string;
  readonly process: GuardedProcess;
}

export class ProcessGroup {
  /** Daemons by layer: each layer needs the ones below it (Nova needs RabbitMQ needs epmd). */
  private readonly layers = new Map<number, Daemon[]>();

  constructor(
    private readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts a server in `layer` (see stopAll) whose output goes to `<logDir>/<name>.log`. */
  start(
    name: string,
    layer: number,
    command: string,
    args: readonly string[],
    options: { env?: NodeJS.ProcessEnv; graceMs?: number } = {},
  ): Daemon {
    const daemon = {
      name,
      process: spawnGuarded(command, args, {
        logFile: this.logFile(name),
        graceMs: options.graceMs ?? 5_000,
        env: { ...this.env, ...options.env },
      }),
    };
    this.layers.set(layer, [...(this.layers.get(layer) ?? []), daemon]);
    return daemon;
  }

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** Runs a setup command to completion; the error carries its output, which says what went wrong. */
  run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        command,
        args,
        { env: { ...this.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error)
            reject(
              new Error(
                `${command} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`.trimEnd(),
              ),
            );
          else resolve(stdout);
        },
      );
    });
  }

  /**
   * Stops every server, the top layer first, so that no service loses its database or broker
   * while it still runs. Within a layer all at once: Nova's services each take their grace
   * period to shut down, and one after another that would add up to most of a minute.
   */
  async stopAll(): Promise<void> {
    const layers = [...this.layers.entries()]
      .sort(([a], [b]) => b - a)
      .map(([, daemons]) => daemons);
    this.layers.clear();
    for (const layer of layers) await Promise.all(layer.map((daemon) => daemon.process.stop()));
  }
}

export async function waitUntil(
  what: string,
  isReady: () => Promise<boolean>,
  options: { timeoutMs: number; watch?: readonly Daemon[]; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const died = options.watch?.find((daemon) => daemon.process.hasExited());
    if (died)
      throw new Error(
        `${died.name} exited while waiting for ${what}:\n${died.process.outputTail(30)}`,
      );
    if (await isReady().catch(() => false)) return;
    if (Date.now() > deadline) {
      const tails = (options.watch ?? [])
        .map((daemon) => `--- ${daemon.name}\n${daemon.process.outputTail(10)}`)
        .join('\n');
      throw new Error(`${what}: not ready after ${options.timeoutMs} ms\n${tails}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
  }
}

export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function answersHttp(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status < 500;
}
