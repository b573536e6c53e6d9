// Just enough HTTP plumbing for the simulated services: loopback listeners, JSON in and out.
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: OutgoingHttpHeaders;
}

export interface HttpService {
  url: string;
  close(): Promise<void>;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export async function listenOnLoopback(handler: RequestHandler, port = 0): Promise<HttpService> {
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      // Handlers answer their own errors; reaching here is a simulator bug, so say so loudly.
      console.error('simulator: unhandled error while serving', req.method, req.url, error);
      if (!res.headersSent)
        send(res, { status: 500, body: { error: 'simulator bug, see its stderr' } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: OutgoingHttpHeaders = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...headers, 'content-length': 0 });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The URL path split into segments, without empty ones. */
export function segmentsOf(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

export interface Route<Handler> {
  method: string;
  /** Segments like `servers/{id}/action`; `{name}` captures one segment. */
  pattern: string;
  handler: Handler;
}

export type RouteMatch<Handler> =
  | { kind: 'found'; route: Route<Handler>; params: Record<string, string> }
  | { kind: 'wrong-method' }
  | { kind: 'missing' };

export function matchRoute<Handler>(
  routes: readonly Route<Handler>[],
  method: string,
  segments: readonly string[],
): RouteMatch<Handler> {
  let isPathKnown = false;
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params === null) continue;
    if (route.method === method) return { kind: 'found', route, params };
    isPathKnown = true;
  }
  return isPathKnown ? { kind: 'wrong-method' } : { kind: 'missing' };
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | null {
  const parts = segmentsOf(pattern);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] ?? '';
    if (part.startsWith('{') && part.endsWith('}'))
      params[part.slice(1, -1)] = decodeURIComponent(segment);
    else if (part !== segment) return null;
  }
  return params;
}
