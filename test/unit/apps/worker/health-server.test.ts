// The worker's health endpoint: what /healthz and /readyz answer, and what makes a worker ready.
import type { NativeConnection } from '@temporalio/worker';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startHealthServer,
  workerReadiness,
  type PollingWorker,
  type Readiness,
} from '../../../../apps/worker/health-server.ts';
import type { ListeningServer } from '../../../../apps/http/listen.ts';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

describe("the worker's health server", () => {
  let server: ListeningServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  const get = async (
    path: string,
    method = 'GET',
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${server?.url ?? ''}${path}`, { method });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers /healthz 200 whatever the readiness, and /readyz 503 with the reason until ready', async () => {
    let readiness: Readiness = { isReady: false, reason: 'the worker is starting' };
    server = await startHealthServer({
      listen: LOOPBACK,
      readiness: () => Promise.resolve(readiness),
    });
    expect(await get('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await get('/readyz')).toEqual({
      status: 503,
      body: { status: 'not ready', reason: 'the worker is starting' },
    });
    readiness = { isReady: true };
    expect(await get('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('refuses other paths with 404 naming its endpoints, and other methods with 405', async () => {
    server = await startHealthServer({
      listen: LOOPBACK,
      readiness: () => Promise.resolve({ isReady: true }),
    });
    const missing = await get('/metrics');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/serves \/healthz and \/readyz/);
    expect((await get('/readyz', 'POST')).status).toBe(405);
  });

  it('answers 500 with the message when the readiness check itself fails, and keeps serving', async () => {
    server = await startHealthServer({
      listen: LOOPBACK,
      readiness: () => Promise.reject(new Error('check broke')),
    });
    expect(await get('/readyz')).toEqual({ status: 500, body: { error: 'check broke' } });
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe("a worker's readiness", () => {
  const polling = { states: () => ({ lazarus: 'RUNNING', 'lazarus/evacuate-calls': 'RUNNING' }) };
  /** The readiness of `worker` over a connection whose GetSystemInfo answers as `answer` does. */
  const readinessOf = (
    worker: PollingWorker | undefined,
    answer: () => Promise<unknown> = () => Promise.resolve({}),
  ) =>
    workerReadiness({
      worker: () => worker,
      connection: {
        withDeadline: <T>(_deadline: number, call: () => Promise<T>) => call(),
        workflowService: { getSystemInfo: answer },
      } as unknown as NativeConnection,
      address: 't:7233',
    });

  it('is not ready while the worker is being created', async () => {
    expect(await readinessOf(undefined)()).toEqual({
      isReady: false,
      reason: 'the worker is starting: it does not poll yet',
    });
  });

  it('names each task queue that is not polled, with its state', async () => {
    const stopping = {
      states: () => ({ lazarus: 'RUNNING', 'lazarus/evacuate-calls': 'STOPPING' }),
    };
    expect(await readinessOf(stopping)()).toEqual({
      isReady: false,
      reason: 'not polling: task queue lazarus/evacuate-calls is STOPPING',
    });
  });

  it('is not ready when Temporal does not answer, saying where Temporal is', async () => {
    const refused = () => Promise.reject(new Error('14 UNAVAILABLE: connection refused'));
    expect(await readinessOf(polling, refused)()).toEqual({
      isReady: false,
      reason: expect.stringMatching(
        /^Temporal at t:7233 did not answer within 2 s \(14 UNAVAILABLE: connection refused\)/,
      ) as unknown,
    });
  });

  it('gives up on a call that hangs (the SDK retries it) after 2 s, rather than hang the probe', async () => {
    const started = Date.now();
    expect(await readinessOf(polling, () => new Promise(() => undefined))()).toMatchObject({
      isReady: false,
      reason: expect.stringContaining('(no answer)') as unknown,
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('is ready when both halves poll and Temporal answers', async () => {
    expect(await readinessOf(polling)()).toEqual({ isReady: true });
  });
});
