// The worker's health endpoint (`--health HOST:PORT`), for a supervisor that restarts or routes by
// it (Kubernetes' probes, infra/deploy/): `GET /healthz` answers while the process can answer at
// all, `GET /readyz` only while both halves of the worker poll and Temporal answers. It is a
// server of its own because the metrics endpoint is Temporal Core's exporter, which serves
// /metrics and nothing else.
import { createServer } from 'node:http';
import type { NativeConnection } from '@temporalio/worker';
import { RequestRefused, sendJson } from '../http/json-exchange.ts';
import { listenOn, type ListenAddress, type ListeningServer } from '../http/listen.ts';

/** Ready, or why not, in a sentence an operator reading a probe's failure can act on. */
export type Readiness = { isReady: true } | { isReady: false; reason: string };

export const HEALTH_PATHS = { live: '/healthz', ready: '/readyz' } as const;

/** Below a probe's usual timeout (Kubernetes: 1 s by default, ours 3 s), so a slow answer is "no". */
const TEMPORAL_CHECK_MS = 2_000;

export function startHealthServer(options: {
  listen: ListenAddress;
  readiness: () => Promise<Readiness>;
}): Promise<ListeningServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://worker').pathname;
    answer(path, request.method)
      .then(({ status, body }) => {
        sendJson(response, status, body);
      })
      .catch((error: unknown) => {
        const refused =
          error instanceof RequestRefused
            ? error
            : new RequestRefused(500, error instanceof Error ? error.message : String(error));
        sendJson(response, refused.status, { error: refused.message }, refused.headers);
      });
  });
  async function answer(
    path: string,
    method: string | undefined,
  ): Promise<{ status: number; body: unknown }> {
    if (path !== HEALTH_PATHS.live && path !== HEALTH_PATHS.ready)
      throw new RequestRefused(
        404,
        `no such endpoint ${path}; the worker's health endpoint serves ${HEALTH_PATHS.live} and ${HEALTH_PATHS.ready}`,
      );
    if (method !== 'GET') throw new RequestRefused(405, `${path} takes GET only`, { allow: 'GET' });
    if (path === HEALTH_PATHS.live) return { status: 200, body: { status: 'ok' } };
    const readiness = await options.readiness();
    return readiness.isReady
      ? { status: 200, body: { status: 'ready' } }
      : { status: 503, body: { status: 'not ready', reason: readiness.reason } };
  }
  return listenOn(server, options.listen);
}

/** What a worker reports of its pollers: each task queue with its SDK worker state. */
export interface PollingWorker {
  /** `RUNNING` is the only state in which a half polls its task queue. */
  states(): Readonly<Record<string, string>>;
}

/**
 * Ready while every half of `worker` polls and Temporal answers a cheap call within 2 s: a worker
 * whose connection is gone polls in vain, and Kubernetes should neither count it towards a
 * rollout nor towards the disruption budget. `worker` is undefined until it was created (bundling
 * the workflows takes a while), so a starting worker is alive but not ready.
 */
export function workerReadiness(options: {
  worker: () => PollingWorker | undefined;
  connection: NativeConnection;
  /** Where Temporal is, for the reason given when it does not answer. */
  address: string;
}): () => Promise<Readiness> {
  return async () => {
    const worker = options.worker();
    if (worker === undefined)
      return { isReady: false, reason: 'the worker is starting: it does not poll yet' };
    const states = Object.entries(worker.states());
    const idle = states.filter(([, state]) => state !== 'RUNNING');
    if (idle.length > 0)
      return {
        isReady: false,
        reason: `not polling: ${idle.map(([queue, state]) => `task queue ${queue} is ${state}`).join(', ')}`,
      };
    try {
      await answerWithin(TEMPORAL_CHECK_MS, options.connection);
    } catch (error) {
      return {
        isReady: false,
        reason: `Temporal at ${options.address} did not answer within ${TEMPORAL_CHECK_MS / 1000} s (${error instanceof Error ? error.message : String(error)}); the worker polls again once it does`,
      };
    }
    return { isReady: true };
  };
}

/**
 * GetSystemInfo, answered by every frontend (Temporal Cloud included) and needing no namespace,
 * within `ms`. The deadline alone is not enough: the SDK retries a call that fails to connect, each
 * attempt with the deadline's time left, so without the timer a probe would wait for the retries.
 */
async function answerWithin(ms: number, connection: NativeConnection): Promise<void> {
  const answer = connection.withDeadline(Date.now() + ms, () =>
    connection.workflowService.getSystemInfo({}),
  );
  // The call goes on after the timer wins; its late failure is of no interest any more.
  answer.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error('no answer'));
    }, ms);
  });
  try {
    await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
