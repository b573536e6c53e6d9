// The RMCP/ASF Presence Ping (DMTF ASF 2.0 §3.2.4.1) that every IPMI LAN BMC answers with a Presence
// Pong, ipmi_sim included: a way to know a BMC listens without opening a session.
import { createSocket } from 'node:dgram';

const PRESENCE_PING = Buffer.from([
  0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x00, 0x00, 0x00,
]);
const PRESENCE_PONG = 0x40;

/** Whether a BMC on this loopback UDP port answers a Presence Ping within `timeoutMs`. */
export function answersPresencePing(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => {
      finish(false);
    }, timeoutMs);
    socket.on('message', (message) => {
      if (message[8] === PRESENCE_PONG) finish(true);
    });
    socket.on('error', () => {
      finish(false);
    });
    socket.send(PRESENCE_PING, port, '127.0.0.1');
  });
}

/** A loopback UDP port nobody uses right now; another process may still take it before the caller binds. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => {
        resolve(port);
      });
    });
  });
}
