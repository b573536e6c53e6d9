// The run's own Temporal dev server on a SQLite file, which the harness SIGKILLs and starts again
// on the same file and port: what survives is only what the server had written.
import { readdir, readFile } from 'node:fs/promises';
import type { DevServer } from '../infra/temporal/dev-server.ts';
import { startDevServer } from '../infra/temporal/dev-server.ts';
import { findFreePort } from '../infra/process/free-port.ts';

export class ChaosTemporalServer {
  #server: DevServer | undefined;

  private constructor(
    private readonly options: { cliPath: string; dbFile: string; port: number; logFile: string },
  ) {}

  static async start(options: {
    cliPath: string;
    dbFile: string;
    logFile: string;
  }): Promise<ChaosTemporalServer> {
    const server = new ChaosTemporalServer({ ...options, port: await findFreePort() });
    await server.restart();
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  get isUp(): boolean {
    return this.#server !== undefined && !this.#server.process.hasExited();
  }

  /** Starts it on the same file and port (the port a client or worker already dials). */
  async restart(): Promise<void> {
    this.#server = await startDevServer({
      ...this.options,
      ui: false,
      stopGraceMs: 2_000,
      readyTimeoutMs: 60_000,
    });
  }

  /** SIGKILL to the server process itself, not its guardian: no chance to flush or say goodbye. */
  async kill(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    const pid = await pidOf(this.options.cliPath, this.options.dbFile);
    if (pid === undefined)
      throw new Error(`no ${this.options.cliPath} process serving ${this.options.dbFile} to kill`);
    process.kill(pid, 'SIGKILL');
    await server.process.exited;
    this.#server = undefined;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
    this.#server = undefined;
  }
}

/** The process whose command line is this binary with this database file: one, started by this run. */
async function pidOf(executable: string, dbFile: string): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, 'utf8').then(
      (text) => text.split('\0'),
      (): string[] => [],
    );
    if (argv[0] === executable && argv.includes(dbFile)) return Number(entry);
  }
  return undefined;
}
