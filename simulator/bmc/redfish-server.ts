// Serves one Redfish service (a host's BMC, or the rack PDU) on its own loopback port, over HTTPS unless TLS is off, and
// applies the transport faults: unreachable (connections reset) and latency.
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BmcFaults } from './bmc-contract.ts';
import { redfishError } from './redfish-errors.ts';
import type { RedfishRequest, RedfishResponse } from './redfish-http.ts';
import { realMs } from './simulated-time.ts';
import type { ServerCertificate } from './tls-certificates.ts';

const MAX_BODY_BYTES = 64 * 1024;

export interface RedfishServerOptions {
  /** A host's BMC (RedfishService) or the rack PDU (RedfishPduService). */
  service: { handle(request: RedfishRequest): RedfishResponse };
  faults: () => BmcFaults;
  timeScale: number;
  /** Serve HTTPS with this certificate; plain HTTP without. */
  certificate?: ServerCertificate;
}

export interface RedfishServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startRedfishServer(options: RedfishServerOptions): Promise<RedfishServer> {
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    void serve(options, request, response);
  };
  const server: Server = options.certificate
    ? createHttpsServer({ key: options.certificate.key, cert: options.certificate.cert }, listener)
    : createHttpServer(listener);
  // An unreachable BMC resets every connection, before any TLS handshake.
  server.on('connection', (socket: Socket) => {
    if (options.faults().unreachable) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

async function serve(
  options: RedfishServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  try {
    const body = await readBody(request);
    const latencyMs = options.faults().latencyMs ?? 0;
    if (latencyMs > 0) await sleep(realMs(latencyMs, options.timeScale));
    // Connections kept alive from before the fault are cut too.
    if (options.faults().unreachable) {
      request.socket.destroy();
      return;
    }
    const path = new URL(request.url ?? '/', 'http://bmc').pathname.replace(/\/+$/, '');
    send(
      response,
      options.service.handle({
        method: request.method ?? 'GET',
        path,
        headers: request.headers,
        body,
      }),
    );
  } catch {
    send(response, redfishError('InternalError'));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        request.destroy(new Error(`request body larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    request.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, { status, headers = {}, body }: RedfishResponse): void {
  if (response.headersSent || response.destroyed) return;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  response.writeHead(status, {
    'OData-Version': '4.0',
    ...(payload === undefined ? {} : { 'Content-Type': 'application/json; charset=utf-8' }),
    ...headers,
  });
  response.end(payload);
}
