// Where a Lazarus HTTP server listens (`--listen HOST:PORT`), and starting and stopping one there:
// the receiver and the codec server share this, so both answer --listen and Ctrl-C alike.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port. */
  port: number;
}

/** `127.0.0.1:9470` or `[::1]:9470` as a host and port, or undefined when it is neither. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (match?.[1] === undefined || port > 65_535) return undefined;
  return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port };
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export interface ListeningServer {
  /** The base URL, with the port the system picked when asked for 0. */
  readonly url: string;
  /** Stops taking connections and drops the open ones, so a stop never waits on a keep-alive. */
  close(): Promise<void>;
}

export async function listenOn(
  server: Server,
  listen: ListenAddress,
  scheme: 'http' | 'https' = 'http',
): Promise<ListeningServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
