// A simulated cloud for one test file, and a small Nova client written for the tests alone.
import { afterAll, beforeAll } from 'vitest';
import type { Simulator, SimulatorOptions } from '../../../simulator/simulator.ts';
import { startSimulator } from '../../../simulator/simulator.ts';
import { pollUntil } from '../../../lib/poll-until.ts';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface NovaCall {
  body?: unknown;
  /** e.g. "2.53"; no header at all when absent. */
  microversion?: string;
  headers?: Record<string, string>;
  token?: string;
}

export interface TestCloud {
  sim: Simulator;
  token: string;
  nova(method: string, path: string, call?: NovaCall): Promise<HttpAnswer>;
  keystone(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<HttpAnswer>;
  admin(method: string, path: string, body?: unknown): Promise<HttpAnswer>;
  /** Polls (in real time, briefly) until `check` holds; simulated time runs fast meanwhile. */
  until<T>(check: () => Promise<T | undefined>, what: string): Promise<T>;
}

export async function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as unknown),
  };
}

export function passwordAuth(sim: Simulator, scope = true): unknown {
  const { username, password, projectName, userDomainId, projectDomainId } = sim.credentials;
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: username, domain: { id: userDomainId }, password } },
      },
      ...(scope
        ? { scope: { project: { name: projectName, domain: { id: projectDomainId } } } }
        : {}),
    },
  };
}

export async function issueToken(sim: Simulator): Promise<string> {
  const answer = await request('POST', `${sim.keystoneUrl}/v3/auth/tokens`, passwordAuth(sim));
  const token = answer.headers.get('x-subject-token');
  if (answer.status !== 201 || token === null)
    throw new Error(`could not get a token: ${answer.status}`);
  return token;
}

/** Fast simulated time: a 60 s service_down_time passes in 60 ms. */
export const fastTime = { timeScale: 1000 } as const;

export async function openCloud(options: Partial<SimulatorOptions> = {}): Promise<TestCloud> {
  const sim = await startSimulator({ hosts: 4, instancesPerHost: 5, ...fastTime, ...options });
  const token = await issueToken(sim);
  return {
    sim,
    token,
    nova: (method, path, call = {}) =>
      request(method, `${sim.novaUrl}${path}`, call.body, {
        'x-auth-token': call.token ?? token,
        ...(call.microversion === undefined
          ? {}
          : { 'openstack-api-version': `compute ${call.microversion}` }),
        ...call.headers,
      }),
    keystone: (method, path, body, headers) =>
      request(method, `${sim.keystoneUrl}${path}`, body, headers),
    admin: (method, path, body) => request(method, `${sim.adminUrl}${path}`, body),
    until: (check, what) => pollUntil(what, check, { timeoutMs: 10_000, intervalMs: 10 }),
  };
}

/** One cloud per describe block, stopped afterwards. */
export function useCloud(options: Partial<SimulatorOptions> = {}): () => TestCloud {
  let cloud: TestCloud | undefined;
  beforeAll(async () => {
    cloud = await openCloud(options);
  });
  afterAll(async () => {
    await cloud?.sim.stop();
  });
  return () => {
    if (cloud === undefined) throw new Error('the cloud is not started yet');
    return cloud;
  };
}

export interface ServerSummary {
  id: string;
  status: string;
  'OS-EXT-SRV-ATTR:host': string | null;
  'OS-EXT-STS:task_state': string | null;
  'OS-EXT-STS:vm_state': string;
  fault?: { message: string };
}

export interface MigrationSummary {
  id: number;
  uuid: string;
  instance_uuid: string;
  status: string;
  source_compute: string;
  dest_compute: string | null;
  /** Nova's timestamp without a zone (UTC), null until the migration first changed. */
  updated_at?: string | null;
}

export async function serversOn(cloud: TestCloud, host: string): Promise<ServerSummary[]> {
  const answer = await cloud.nova('GET', `/servers/detail?all_tenants=1&host=${host}`, {
    microversion: '2.53',
  });
  return (answer.body as { servers: ServerSummary[] }).servers;
}

export async function server(cloud: TestCloud, id: string): Promise<ServerSummary> {
  const answer = await cloud.nova('GET', `/servers/${id}`, { microversion: '2.53' });
  return (answer.body as { server: ServerSummary }).server;
}

export async function evacuations(cloud: TestCloud, instance: string): Promise<MigrationSummary[]> {
  const answer = await cloud.nova(
    'GET',
    `/os-migrations?migration_type=evacuation&instance_uuid=${instance}`,
    { microversion: '2.59' },
  );
  return (answer.body as { migrations: MigrationSummary[] }).migrations;
}

export function serviceUuid(cloud: TestCloud, host: string): string {
  const found = cloud.sim.state().hosts.find((h) => h.name === host);
  if (found === undefined) throw new Error(`no host ${host}`);
  return found.service.uuid;
}

/**
 * The recommended fence-then-mark request: disable and force down in one PUT
 * (docs/nova-and-bmc-facts.md#updating-a-service).
 */
export async function markDown(cloud: TestCloud, host: string): Promise<HttpAnswer> {
  return cloud.nova('PUT', `/os-services/${serviceUuid(cloud, host)}`, {
    microversion: '2.53',
    body: { status: 'disabled', disabled_reason: 'test: fenced', forced_down: true },
  });
}

/** A host that lost power and is marked down, ready for evacuation. */
export async function failAndMarkDown(cloud: TestCloud, host: string): Promise<void> {
  cloud.sim.failHost(host, 'power-loss');
  const answer = await markDown(cloud, host);
  if (answer.status !== 200) throw new Error(`could not mark ${host} down: ${answer.status}`);
}

export async function firstServer(
  cloud: TestCloud,
  host: string,
  status: string,
): Promise<ServerSummary> {
  const found = (await serversOn(cloud, host)).find((s) => s.status === status);
  if (found === undefined)
    throw new Error(`no ${status} server on ${host}; pick another seed or host`);
  return found;
}

/** An ACTIVE server whose host just lost power and is marked down: ready to be evacuated. */
export async function serverOnFailedHost(cloud: TestCloud, host: string): Promise<ServerSummary> {
  await failAndMarkDown(cloud, host);
  return firstServer(cloud, host, 'ACTIVE');
}
