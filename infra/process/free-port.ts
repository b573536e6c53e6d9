import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, LOOPBACK, () =>
      server.close(() => {
        resolve(true);
      }),
    );
  });
}

function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('the kernel gave no port'));
      });
    });
  });
}

/**
 * A loopback port that is free now, together with `port + offset` for each offset (the dev server
 * puts its Web UI at port + 1000). Another process may still take it before we bind: callers retry.
 */
export async function findFreePort(offsets: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await ephemeralPort();
    if (offsets.some((offset) => port + offset > 65_535)) continue;
    const companions = await Promise.all(offsets.map((offset) => canListen(port + offset)));
    if (companions.every(Boolean)) return port;
  }
  throw new Error(
    `no free loopback port with free companions at offsets ${offsets.join(', ')} after 50 tries`,
  );
}

/**
 * A loopback port that is free now, from `min` up to but not including `max`: for servers that
 * store their ports where ephemeral ones do not fit (Temporal's cluster membership, a smallint).
 */
export async function findFreePortInRange(min: number, max: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port from ${min} to ${max - 1} after 200 tries`);
}
