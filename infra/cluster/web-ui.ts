// Temporal's Web UI server against the cluster's frontend, connecting with a client certificate
// like any other client, and optionally pointing the browser at a codec server so that operators
// allowed to reach it read encrypted payloads in plaintext.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { pollUntil } from '../../lib/poll-until.ts';
import { spawnGuarded } from '../process/guarded-process.ts';
import { ensureTemporalUi } from '../temporal/temporal-server.ts';

export interface WebUiOptions {
  directory: string;
  port: number;
  frontend: string;
  namespace: string;
  tls: { ca: string; cert: string; key: string; serverName: string };
  codecEndpoint?: string;
}

export interface WebUi {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startWebUi(options: WebUiOptions): Promise<WebUi> {
  const binary = await ensureTemporalUi();
  await mkdir(join(options.directory, 'config'), { recursive: true });
  await writeFile(
    join(options.directory, 'config', 'production.yaml'),
    stringify({
      temporalGrpcAddress: options.frontend,
      host: '127.0.0.1',
      port: options.port,
      enableUi: true,
      defaultNamespace: options.namespace,
      notifyOnNewVersion: false,
      cors: { cookieInsecure: true, allowOrigins: [] },
      auth: { enabled: false },
      tls: {
        caFile: options.tls.ca,
        certFile: options.tls.cert,
        keyFile: options.tls.key,
        serverName: options.tls.serverName,
        enableHostVerification: true,
      },
      codec: { endpoint: options.codecEndpoint ?? '' },
    }),
  );
  const ui = spawnGuarded(
    binary,
    ['--root', options.directory, '--config', 'config', '--env', 'production', 'start'],
    { logFile: join(options.directory, 'ui.log'), graceMs: 5_000 },
  );
  const url = `http://127.0.0.1:${options.port}`;
  await pollUntil(
    `the Web UI on ${url}`,
    async () => {
      if (ui.hasExited()) throw new Error(`the Web UI server exited:\n${ui.outputTail()}`);
      try {
        return (await fetch(`${url}/api/v1/settings`)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  return {
    url,
    async stop() {
      await ui.stop();
    },
  };
}
