// A loopback UDP relay in front of each ipmi_sim, where the IPMI faults that ipmi_sim cannot
// simulate happen on the wire:
// - unreachable: every datagram is dropped, so ipmitool times out with "Unable to establish IPMI v2 /
//   RMCP+ session", as with a dead or partitioned BMC (docs/nova-and-bmc-facts.md#credential-errors);
// - badCredentials: the BMC's RAKP Message 2 arrives with a key exchange authentication code that
//   does not match the client's password. That is exactly what a client with a wrong password sees
//   (it is the client that checks RAKP 2, IPMI 2.0 §13.20): "RAKP 2 HMAC is invalid", then
//   "Unable to establish IPMI v2 / RMCP+ session";
// - latencyMs: every answer is delayed.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import type { BmcFaults } from './bmc-contract.ts';
import { realMs } from './simulated-time.ts';

const IDLE_CLIENT_MS = 60_000;

// RMCP header (4 bytes), then the IPMI 2.0 session header: auth type 0x06 (RMCP+), payload type,
// session id (4), sequence (4), payload length (2) — the payload starts at byte 16.
const RMCP_PLUS = 0x06;
const RAKP_MESSAGE_2 = 0x13;
const PAYLOAD_OFFSET = 16;
// RAKP 2: tag, status, reserved (2), console session id (4), BMC random (16), BMC GUID (16), then the code.
const RAKP2_AUTH_CODE_OFFSET = PAYLOAD_OFFSET + 40;

export interface IpmiFaultRelay {
  /** The port clients use; datagrams are relayed to ipmi_sim's own port. */
  readonly port: number;
  close(): Promise<void>;
}

interface Client {
  upstream: Socket;
  lastSeen: number;
}

export async function startIpmiFaultRelay(
  targetPort: number,
  faults: () => BmcFaults,
  timeScale: number,
): Promise<IpmiFaultRelay> {
  const front = createSocket('udp4');
  const clients = new Map<string, Client>();
  const pendingReplies = new Set<NodeJS.Timeout>();
  let closed = false;

  const reply = (message: Buffer, to: RemoteInfo) => {
    const now = faults();
    if (closed || now.unreachable) return;
    const answer = now.badCredentials ? withWrongRakp2AuthCode(message) : message;
    const timer = setTimeout(
      () => {
        pendingReplies.delete(timer);
        if (!closed) front.send(answer, to.port, to.address);
      },
      realMs(now.latencyMs ?? 0, timeScale),
    );
    pendingReplies.add(timer);
  };

  const clientFor = (from: RemoteInfo): Client => {
    const key = `${from.address}:${from.port}`;
    const known = clients.get(key);
    if (known) return known;
    const upstream = createSocket('udp4');
    upstream.on('message', (message) => {
      reply(message, from);
    });
    upstream.on('error', () => {
      upstream.close();
      clients.delete(key);
    });
    const client = { upstream, lastSeen: Date.now() };
    clients.set(key, client);
    return client;
  };

  front.on('message', (message, from) => {
    if (faults().unreachable) return;
    const client = clientFor(from);
    client.lastSeen = Date.now();
    client.upstream.send(message, targetPort, '127.0.0.1');
  });

  // ipmitool uses a fresh socket per run; forget clients that went quiet.
  const sweeper = setInterval(() => {
    const cutoff = Date.now() - IDLE_CLIENT_MS;
    for (const [key, client] of clients) {
      if (client.lastSeen < cutoff) {
        client.upstream.close();
        clients.delete(key);
      }
    }
  }, IDLE_CLIENT_MS / 2).unref();

  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.bind(0, '127.0.0.1', resolve);
  });
  // A datagram that cannot be sent is lost, which UDP and every IPMI client allow for.
  front.on('error', () => undefined);
  return {
    port: front.address().port,
    close: async () => {
      closed = true;
      clearInterval(sweeper);
      for (const timer of pendingReplies) clearTimeout(timer);
      for (const client of clients.values()) client.upstream.close();
      await new Promise<void>((resolve) => {
        front.close(() => {
          resolve();
        });
      });
    },
  };
}

function withWrongRakp2AuthCode(message: Buffer): Buffer {
  const isRakp2 = message[4] === RMCP_PLUS && ((message[5] ?? 0) & 0x3f) === RAKP_MESSAGE_2;
  if (!isRakp2 || message.length <= RAKP2_AUTH_CODE_OFFSET) return message;
  const tampered = Buffer.from(message);
  tampered[RAKP2_AUTH_CODE_OFFSET] = (tampered[RAKP2_AUTH_CODE_OFFSET] ?? 0) ^ 0xff;
  return tampered;
}
