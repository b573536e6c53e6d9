// A loopback proxy in front of nova-api that counts the requests going through it, by kind. Each
// procedure of `npm run bench:real-nova` reaches Nova only through it (Lazarus through a catalog
// region whose compute endpoint is the proxy, the re-enactment through its Nova URL), while the
// bench's own reads go to nova-api directly, so the count is the procedure's load and nothing else.
// The Host header is passed on unchanged, so the links Nova builds point back at the proxy.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestCounts } from '../real-nova-figures.ts';
import { requestKind } from '../real-nova-figures.ts';

export interface CountingProxy {
  /** `novaUrl` (nova-api's) with the proxy's origin. */
  readonly novaUrl: string;
  /** Requests answered so far, by kind; a copy. */
  counts(): RequestCounts;
  stop(): Promise<void>;
}

export async function startCountingProxy(novaUrl: string): Promise<CountingProxy> {
  const target = new URL(novaUrl);
  const counts: RequestCounts = {};
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      // Buffered, to tell an evacuate from other server actions; Nova's request bodies are small.
      const body = Buffer.concat(chunks);
      const kind = requestKind(incoming.method ?? 'GET', incoming.url ?? '/', body.toString());
      const forwarded = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          counts[kind] = (counts[kind] ?? 0) + 1;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => {
        outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`the bench's counting proxy could not reach nova-api: ${error.message}`);
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = new URL(novaUrl);
  proxied.port = String(port);
  return {
    novaUrl: proxied.toString().replace(/\/$/, ''),
    counts: () => ({ ...counts }),
    stop: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      }),
  };
}
