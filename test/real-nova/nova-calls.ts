// Nova's API as the real-Nova suites call it: one authenticated call at a microversion, polling, and
// a server pinned to a host, ACTIVE.
import { pollUntil } from '../../lib/poll-until.ts';
import { realNovaMaxMicroversion, type RealNova } from './real-nova.ts';

export interface Answer {
  status: number;
  body: unknown;
}

/** At 2.93 unless `microversion` says otherwise. */
export type NovaCall = (
  method: string,
  path: string,
  body?: unknown,
  microversion?: string,
) => Promise<Answer>;

async function send(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

export function novaAt(novaUrl: string, subjectToken: string): NovaCall {
  return (method, path, body, microversion = realNovaMaxMicroversion) =>
    send(`${novaUrl}${path}`, method, body, {
      'x-auth-token': subjectToken,
      'openstack-api-version': `compute ${microversion}`,
    });
}

export function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  return pollUntil(what, check, { timeoutMs, intervalMs: 250 });
}

/** Boots a server on `host` (an admin may pin one through its zone) and waits until it is ACTIVE. */
export async function bootOn(
  nova: NovaCall,
  real: RealNova,
  host: string,
  name: string,
): Promise<string> {
  const created = await nova('POST', '/servers', {
    server: {
      name,
      imageRef: real.imageId,
      flavorRef: real.flavorId,
      networks: 'none',
      availability_zone: `nova:${host}`,
    },
  });
  if (created.status !== 202)
    throw new Error(
      `real Nova refused a server on ${host}: ${created.status} ${JSON.stringify(created.body)}`,
    );
  const serverId = (created.body as { server: { id: string } }).server.id;
  await until(`server ${serverId} ACTIVE`, async () => {
    const { body } = await nova('GET', `/servers/${serverId}`);
    const status = (body as { server: { status: string } }).server.status;
    if (status === 'ERROR') throw new Error(`the server went to ERROR: ${JSON.stringify(body)}`);
    return status === 'ACTIVE' ? true : undefined;
  });
  return serverId;
}
