// `npm run worker -- --health HOST:PORT`: the probes Kubernetes uses (infra/deploy/kubernetes/).
// The worker reaches the dev server through a loopback TCP relay the test can cut, so "Temporal
// does not answer" is a real lost connection, not a mock.
import { spawn } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { findFreePort } from '../../../../infra/process/free-port.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';
import { stopGracefully, waitForOutput } from '../../../support/child-output.ts';
import { REPO_ROOT, WORKER_ENTRY } from '../../../support/repository.ts';

const { address, namespace } = inject('temporal');

/** Relays loopback `port` to the dev server until closed; closing also drops every relayed connection. */
async function startRelay(port: number): Promise<{ close(): Promise<void> }> {
  const [host = '', targetPort = ''] = address.split(':');
  const sockets = new Set<Socket>();
  const server = createServer((downstream) => {
    const upstream = connect(Number(targetPort), host);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {
        downstream.destroy();
        upstream.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

describe("the worker's health endpoint", () => {
  it('is alive throughout, ready only while polling with Temporal answering, and stops with the worker', async () => {
    const relayPort = await findFreePort();
    let relay = await startRelay(relayPort);
    const healthPort = await findFreePort();
    const worker = spawn(
      process.execPath,
      [
        // An empty configuration: every default, the task queue from the environment.
        ...['--import', 'tsx', WORKER_ENTRY, '--config', '/dev/null'],
        ...['--health', `127.0.0.1:${healthPort}`],
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: `127.0.0.1:${relayPort}`,
          TEMPORAL_NAMESPACE: namespace,
          LAZARUS_TASK_QUEUE: `health-endpoint-${process.pid}`,
        },
      },
    );
    const probe = async (path: string): Promise<{ status: number; body: unknown }> => {
      const response = await fetch(`http://127.0.0.1:${healthPort}${path}`, {
        signal: AbortSignal.timeout(5_000),
      });
      return { status: response.status, body: await response.json() };
    };
    const untilReadyIs = (status: number, what: string) =>
      pollUntil(
        what,
        async () => {
          const answer = await probe('/readyz');
          return answer.status === status ? answer : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    try {
      await waitForOutput(worker, /^lazarus worker: health at /m);
      expect((await probe('/healthz')).status).toBe(200);
      // Bundling the workflows takes the worker a while on a busy 2-core machine.
      await waitForOutput(worker, /^lazarus worker: serving task queue/m, 120_000);
      expect(await untilReadyIs(200, 'the worker to poll')).toEqual({
        status: 200,
        body: { status: 'ready' },
      });

      await relay.close();
      const cut = await untilReadyIs(503, 'readiness to notice Temporal is gone');
      expect(cut.body).toEqual({
        status: 'not ready',
        reason: expect.stringContaining(
          `Temporal at 127.0.0.1:${relayPort} did not answer within 2 s`,
        ) as unknown,
      });
      expect((await probe('/healthz')).status).toBe(200);

      relay = await startRelay(relayPort);
      await untilReadyIs(200, 'the worker to be ready again once Temporal answers');

      expect(await stopGracefully(worker, /^lazarus worker: stopped$/m)).toBe(0);
      await expect(probe('/healthz')).rejects.toThrow();
    } finally {
      worker.kill('SIGKILL');
      await relay.close();
    }
  }, 180_000);
});
