// What the re-enactments share: the cloud they act on (the simulated one, or the real-Nova tier),
// waits on its clock, and fencing as the ClusterLabs fencing library drives a fence agent
// (fence_redfish on the simulator, fence_ipmilan on the real tier).
import type { BmcPower, NovaSession } from './cloud-client.ts';

export interface ProcedureContext {
  nova: NovaSession;
  /** The BMC that fences `host`. */
  bmc(host: string): BmcPower;
  /** The cloud's clock, in milliseconds: simulated on the simulator, the wall clock on a real Nova. */
  now(): number;
  /** Waits `cloudMs` of the cloud's milliseconds: the procedures' documented waits are the cloud's time. */
  sleep(cloudMs: number): Promise<void>;
}

/** On a cloud `timeScale` times faster than real time (1 for a real Nova). */
export function scaledSleep(timeScale: number): (cloudMs: number) => Promise<void> {
  return (cloudMs) => new Promise((resolve) => setTimeout(resolve, cloudMs / timeScale));
}

/**
 * fencing.py's set_multi_power_fn: the power-off, `--power-wait` (0), then the status right away
 * and once a second until Off, for at most `--power-timeout` (20) checks. Returns when Off was read.
 */
export async function fenceLikeFenceAgent(
  context: ProcedureContext,
  host: string,
): Promise<number> {
  const bmc = context.bmc(host);
  await bmc.forceOff();
  for (let check = 0; check < 20; check += 1) {
    if ((await bmc.powerState()) === 'Off') return Date.now();
    await context.sleep(1_000);
  }
  throw new Error(`fencing ${host}: the BMC still did not read Off after 20 checks`);
}

export interface ServiceRecord {
  id: string;
  host: string;
  binary: string;
}

export async function computeServiceOf(nova: NovaSession, host: string): Promise<ServiceRecord> {
  const { services } = await nova.call<{ services: ServiceRecord[] }>(
    'GET',
    `/os-services?host=${host}&binary=nova-compute`,
  );
  const service = services[0];
  if (service === undefined) throw new Error(`Nova lists no nova-compute on ${host}`);
  return service;
}

export interface ServerRecord {
  id: string;
  locked: boolean;
  'OS-EXT-SRV-ATTR:hypervisor_hostname': string | null;
  'OS-EXT-STS:vm_state': string;
  'OS-EXT-STS:task_state': string | null;
}

export async function serversOn(nova: NovaSession, host: string): Promise<ServerRecord[]> {
  return (
    await nova.call<{ servers: ServerRecord[] }>(
      'GET',
      `/servers/detail?all_tenants=1&host=${host}`,
    )
  ).servers;
}

export function evacuate(nova: NovaSession, serverId: string): Promise<unknown> {
  return nova.call('POST', `/servers/${serverId}/action`, { evacuate: {} });
}

/** What a procedure reports of one host, in wall-clock milliseconds. */
export interface HostRecovery {
  fencingProofAt: number;
  /** The procedure considers the host done (Masakari: every evacuation confirmed; Pacemaker: the last call returned). */
  endedAt: number;
  failedInstances: number;
}
