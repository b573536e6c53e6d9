// The Temporal CLI dev server as a library: start on free loopback ports with Lazarus's search
// attributes and dynamic config, wait until the namespace answers, stop cleanly.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { LAZARUS_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes.ts';
import { findFreePort } from '../process/free-port.ts';
import { spawnGuarded, type GuardedProcess } from '../process/guarded-process.ts';
import { ensureTemporalCli } from './temporal-cli.ts';

const UI_PORT_OFFSET = 1000;

export interface DevServerOptions {
  /** A Temporal CLI binary; provisioned with ensureTemporalCli() when absent. */
  cliPath?: string;
  /** A SQLite file that keeps history across restarts; in memory when absent. */
  dbFile?: string;
  /** gRPC port; a free one when absent. The Web UI listens on port + 1000. */
  port?: number;
  namespace?: string;
  /** Serve the Web UI (default true). */
  ui?: boolean;
  /** A codec server's URL the Web UI decodes payloads with (`lazarus codec-server`). */
  uiCodecEndpoint?: string;
  /** Time between SIGTERM and SIGKILL when stopping (default 5 s). */
  stopGraceMs?: number;
  /** How long to wait for the namespace to answer (default 60 s). */
  readyTimeoutMs?: number;
  /** Where the server's own log goes (default: a file in the system's temp directory). */
  logFile?: string;
}

export interface DevServer {
  /** host:port of the gRPC frontend, as clients and `temporal --address` take it. */
  readonly address: string;
  readonly namespace: string;
  /** The Web UI's URL, or undefined when started without UI. */
  readonly uiUrl: string | undefined;
  readonly logFile: string;
  readonly process: GuardedProcess;
  stop(): Promise<void>;
}

/** Dynamic config the product relies on: Update-with-Start is how reports and updates reach incidents. */
const DYNAMIC_CONFIG: Readonly<Record<string, string>> = {
  'frontend.enableExecuteMultiOperation': 'true',
};

export function devServerArgs(options: {
  port: number;
  namespace: string;
  ui: boolean;
  dbFile?: string;
  uiCodecEndpoint?: string;
}): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--namespace',
    options.namespace,
    '--log-format',
    'json',
    '--log-level',
    'warn',
  ];
  if (options.ui) args.push('--ui-port', String(options.port + UI_PORT_OFFSET));
  else args.push('--headless');
  if (options.ui && options.uiCodecEndpoint !== undefined)
    args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const [name, type] of Object.entries(LAZARUS_SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(DYNAMIC_CONFIG))
    args.push('--dynamic-config-value', `${key}=${value}`);
  return args;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cliPath = options.cliPath ?? (await ensureTemporalCli());
  const namespace = options.namespace ?? 'default';
  const ui = options.ui ?? true;
  const graceMs = options.stopGraceMs ?? 5_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  // A port picked as free can be taken before the server binds it, and so can the HTTP API port the
  // CLI picks for itself (seen in a chaos campaign running beside the tests): start again, on a new
  // port unless the caller fixed it.
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = options.port ?? (await findFreePort(ui ? [UI_PORT_OFFSET] : []));
    const address = `127.0.0.1:${port}`;
    const logFile = options.logFile ?? join(tmpdir(), `lazarus-temporal-${port}.log`);
    const serverArgs: Parameters<typeof devServerArgs>[0] = { port, namespace, ui };
    if (options.dbFile) serverArgs.dbFile = options.dbFile;
    if (options.uiCodecEndpoint !== undefined) serverArgs.uiCodecEndpoint = options.uiCodecEndpoint;
    const server = spawnGuarded(cliPath, devServerArgs(serverArgs), { logFile, graceMs });
    try {
      await waitUntilReady(address, namespace, server, readyTimeoutMs);
      return {
        address,
        namespace,
        uiUrl: ui ? `http://127.0.0.1:${port + UI_PORT_OFFSET}` : undefined,
        logFile,
        process: server,
        async stop() {
          await server.stop();
        },
      };
    } catch (error) {
      await server.stop();
      lastError = error instanceof Error ? error : new Error(String(error));
    }
  }
  throw lastError ?? new Error('the Temporal dev server did not start');
}

/** Resolves once the namespace answers and every Lazarus search attribute is registered. */
async function waitUntilReady(
  address: string,
  namespace: string,
  server: GuardedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      throw new Error(
        `the Temporal dev server on ${address} exited during start-up (status ${await server.exited}):\n${server.outputTail()}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        const missing = await missingSearchAttributes(connection, namespace);
        if (missing.length === 0) return;
        lastProblem = `search attributes not registered yet: ${missing.join(', ')}`;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `the Temporal dev server on ${address} did not answer for namespace "${namespace}" within ${timeoutMs} ms (${lastProblem}):\n${server.outputTail()}`,
  );
}

/** Asks the server which of Lazarus's search attributes it does not know (empty when all exist). */
export async function missingSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(LAZARUS_SEARCH_ATTRIBUTES).filter((name) => !(name in customAttributes));
}
