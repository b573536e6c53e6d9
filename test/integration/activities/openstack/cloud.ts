// A simulated cloud per describe block, and Lazarus's own clients connected to it the way
// production connects them: credentials from the simulator's clouds.yaml.
import { afterAll, beforeAll } from 'vitest';
import type { CloudCredentials } from '../../../../activities/openstack/cloud-credentials.ts';
import { resolveCloudCredentials } from '../../../../activities/openstack/cloud-credentials.ts';
import { KeystoneSession } from '../../../../activities/openstack/keystone-session.ts';
import type { OpenStackLogger } from '../../../../activities/openstack/logger.ts';
import type { Instance, KnownComputeService } from '../../../../activities/openstack/index.ts';
import type { NovaClientOptions } from '../../../../activities/openstack/nova-client.ts';
import { NovaClient } from '../../../../activities/openstack/nova-client.ts';
import { appCredentialCloudName, cloudName } from '../../../../simulator/clouds-yaml.ts';
import type { Simulator, SimulatorOptions } from '../../../../simulator/simulator.ts';
import { startSimulator } from '../../../../simulator/simulator.ts';

/** Every line the clients logged, with its metadata, as text a test can search. */
export interface CapturedLogs {
  logger: OpenStackLogger;
  lines: string[];
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return {
    lines,
    logger: { warn: (message, meta) => lines.push(`${message} ${JSON.stringify(meta ?? {})}`) },
  };
}

export function credentialsOf(
  sim: Simulator,
  cloud: 'password' | 'application-credential' = 'password',
): Promise<CloudCredentials> {
  return resolveCloudCredentials({
    env: { OS_CLIENT_CONFIG_FILE: sim.cloudsYamlPath },
    cloud: cloud === 'password' ? cloudName : appCredentialCloudName,
  });
}

export interface Connected {
  session: KeystoneSession;
  nova: NovaClient;
  logs: CapturedLogs;
}

export interface ConnectOptions extends Omit<NovaClientOptions, 'session' | 'logger'> {
  credentials?: CloudCredentials;
  /** Where the clients log; a fresh capture when absent. */
  logs?: CapturedLogs;
  renewalMarginMs?: number;
  timeoutMs?: number;
}

/** Retries a few milliseconds apart, so a test of the backoff waits for nothing. */
export const quickRetries = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

export async function connect(sim: Simulator, options: ConnectOptions = {}): Promise<Connected> {
  const { credentials, renewalMarginMs, timeoutMs, logs = captureLogs(), ...novaOptions } = options;
  const session = await KeystoneSession.open({
    credentials: credentials ?? (await credentialsOf(sim)),
    logger: logs.logger,
    ...(renewalMarginMs === undefined ? {} : { renewalMarginMs }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  const nova = await NovaClient.connect({
    session,
    logger: logs.logger,
    retry: quickRetries,
    ...novaOptions,
  });
  return { session, nova, logs };
}

/** One simulator per describe block: 1000× time, so Nova's 60 s waits take 60 ms. */
export function useSimulator(options: Partial<SimulatorOptions> = {}): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ hosts: 3, instancesPerHost: 5, timeScale: 1000, ...options });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  return () => {
    if (sim === undefined) throw new Error('the simulator is not started yet');
    return sim;
  };
}

export async function computeServiceOf(
  nova: NovaClient,
  host: string,
): Promise<KnownComputeService> {
  const [service, ...others] = await nova.listComputeServices(host);
  if (service === undefined || service.status === 'UNKNOWN' || others.length > 0)
    throw new Error(`expected one known compute service on ${host}`);
  return service;
}

/** What Lazarus does before evacuating: the host lost power, its service is disabled and forced down. Its instances. */
export async function failAndForceDown(
  sim: Simulator,
  nova: NovaClient,
  host: string,
): Promise<Instance[]> {
  const service = await computeServiceOf(nova, host);
  sim.failHost(host, 'power-loss');
  await nova.forceDownComputeService(service.id, `test: ${host} fenced`);
  return nova.listInstancesOnHost(host);
}
