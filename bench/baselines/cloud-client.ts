// The re-enactments' own clients of a cloud (the simulated one, or the real-Nova tier): Keystone
// password auth, Nova with a token and a microversion, Redfish power with Basic auth over HTTPS (the
// simulator's CA verified). Written for the bench, sharing nothing with Lazarus's clients, as the
// procedures they re-enact do.
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import type { RedfishEndpoint } from '../../simulator/bmc/bmc-contract.ts';

export interface NovaSession {
  call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
}

/** A password login scoped to a project; domains by id (the simulator's) or by name (the real tier's). */
export interface LoginCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainId?: string;
  userDomainName?: string;
  projectDomainId?: string;
  projectDomainName?: string;
}

export interface CloudEndpoints {
  /** Keystone's root; the v3 API is below it. */
  keystoneUrl: string;
  novaUrl: string;
  credentials: LoginCredentials;
}

const domain = (
  id: string | undefined,
  name: string | undefined,
): { id: string } | { name: string } => (id === undefined ? { name: name ?? 'Default' } : { id });

export async function openNovaSession(
  cloud: CloudEndpoints,
  microversion: string,
): Promise<NovaSession> {
  const { username, password, projectName } = cloud.credentials;
  const { userDomainId, userDomainName, projectDomainId, projectDomainName } = cloud.credentials;
  const auth = await fetch(`${cloud.keystoneUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: username, domain: domain(userDomainId, userDomainName), password },
          },
        },
        scope: {
          project: { name: projectName, domain: domain(projectDomainId, projectDomainName) },
        },
      },
    }),
  });
  const token = auth.headers.get('x-subject-token');
  if (auth.status !== 201 || token === null)
    throw new Error(`Keystone refused the bench's login (${auth.status}): ${await auth.text()}`);
  await auth.body?.cancel();
  return {
    async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${cloud.novaUrl}${path}`, {
        method,
        headers: {
          'X-Auth-Token': token,
          'X-OpenStack-Nova-API-Version': microversion,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`Nova answered ${method} ${path} with ${response.status}: ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
  };
}

export interface BmcPower {
  forceOff(): Promise<void>;
  powerState(): Promise<string>;
}

export function redfishPower(endpoint: RedfishEndpoint): BmcPower {
  const dispatcher = new Agent({
    connect: endpoint.caBundle === undefined ? {} : { ca: readFileSync(endpoint.caBundle) },
  });
  const headers = {
    Authorization: `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`,
    'Content-Type': 'application/json',
  };
  const request = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> => {
    const response = await fetch(`${endpoint.url}${path}`, {
      method,
      headers,
      dispatcher,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(
        `the BMC at ${endpoint.url} answered ${method} ${path} with ${response.status}: ${text}`,
      );
    return text;
  };
  return {
    forceOff: async () => {
      await request('POST', `${endpoint.systemPath}/Actions/ComputerSystem.Reset`, {
        ResetType: 'ForceOff',
      });
    },
    powerState: async () =>
      (JSON.parse(await request('GET', endpoint.systemPath)) as { PowerState: string }).PowerState,
  };
}

interface MigrationRecord {
  instance_uuid: string;
  status: string;
  updated_at: string;
}

/** Wall-clock milliseconds at which Nova recorded each instance's evacuation done (its landing). */
export async function landingsInNova(nova: NovaSession): Promise<Map<string, number>> {
  const { migrations } = await nova.call<{ migrations: MigrationRecord[] }>(
    'GET',
    '/os-migrations?migration_type=evacuation&status=done',
  );
  // Nova's timestamps are UTC without a zone designator.
  return new Map(migrations.map((m) => [m.instance_uuid, Date.parse(`${m.updated_at}Z`)]));
}
