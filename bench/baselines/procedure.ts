// What the re-enactments share: the simulated cloud they act on, waits on its clock, and fencing
// as the ClusterLabs fencing library drives a fence agent (fence_redfish here).
import type { BenchCloud } from '../bench-cloud.ts';
import type { BmcPower, NovaSession } from './cloud-client.ts';
import { redfishPower } from './cloud-client.ts';

export interface ProcedureContext {
  cloud: BenchCloud;
  nova: NovaSession;
  /** Waits `simMs` simulated milliseconds: the procedures' documented waits are simulated time. */
  sleep(simMs: number): Promise<void>;
}

export function simulatedSleep(timeScale: number): (simMs: number) => Promise<void> {
  return (simMs) => new Promise((resolve) => setTimeout(resolve, simMs / timeScale));
}

export function bmcOf(context: ProcedureContext, host: string): BmcPower {
  const endpoints = context.cloud.sim.bmcs[host];
  if (endpoints === undefined) throw new Error(`the simulated cloud has no BMC for ${host}`);
  return redfishPower(endpoints.redfish);
}

/**
 * fencing.py's set_multi_power_fn: the power-off, `--power-wait` (0), then the status right away
 * and once a second until Off, for at most `--power-timeout` (20) checks. Returns when Off was read.
 */
export async function fenceLikeFenceAgent(
  context: ProcedureContext,
  host: string,
): Promise<number> {
  const bmc = bmcOf(context, host);
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
