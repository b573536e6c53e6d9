// What the real-Nova benches do to one compute of the real-Nova tier: boot servers on it, crash its
// nova-compute, fence it through its BMC as a fence agent would, force it down, and watch its
// evacuations land with one os-migrations listing per tick, so that watching costs Nova one request
// per tick, not one per server.
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import { computeProcesses, ipmitool } from '../../test/real-nova/compute-host.ts';
import type { NovaCall } from '../../test/real-nova/nova-calls.ts';
import { bootOn, until } from '../../test/real-nova/nova-calls.ts';
import type { RealNova } from '../../test/real-nova/real-nova.ts';
import type { BmcPower } from '../baselines/cloud-client.ts';
import { adminProjectId } from './keystone-admin.ts';

/** Servers booted at once while preparing: the boots are not what is measured. */
const BOOT_CONCURRENCY = 4;
/** How often the host's evacuations are listed while they are in flight. */
const WATCH_INTERVAL_MS = 100;

/**
 * No quota on instances, cores and RAM for the admin project, where the bench boots its servers:
 * Nova's defaults (10 instances, 20 cores) would refuse a bench's servers.
 */
export async function liftQuotas(nova: NovaCall, real: RealNova): Promise<void> {
  const projectId = await adminProjectId(real);
  const answer = await nova('PUT', `/os-quota-sets/${projectId}`, {
    quota_set: { instances: -1, cores: -1, ram: -1 },
  });
  if (answer.status !== 200)
    throw new Error(`Nova refused to lift the bench project's quotas: ${answer.status}`);
}

/** `count` servers named `<prefix>-<n>`, ACTIVE on `host`. */
export function bootServers(
  nova: NovaCall,
  real: RealNova,
  host: string,
  count: number,
  prefix: string,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${host}-${i + 1}`);
  return mapWithConcurrency(names, BOOT_CONCURRENCY, (name) => bootOn(nova, real, host, name));
}

export async function computeServiceId(nova: NovaCall, host: string): Promise<string> {
  const { body } = await nova('GET', `/os-services?binary=nova-compute&host=${host}`);
  const id = (body as { services: { id: string }[] }).services[0]?.id;
  if (id === undefined) throw new Error(`Nova lists no nova-compute service on ${host}`);
  return id;
}

/** Sets the compute service's fields (forced_down, status), failing on any answer but 200. */
export async function updateComputeService(
  nova: NovaCall,
  serviceId: string,
  fields: Record<string, unknown>,
): Promise<void> {
  const answer = await nova('PUT', `/os-services/${serviceId}`, fields);
  if (answer.status !== 200)
    throw new Error(
      `Nova refused ${JSON.stringify(fields)} on service ${serviceId}: ${answer.status} ${JSON.stringify(answer.body)}`,
    );
}

/** Keeps the scheduler off `host` (disabled) or lets it back (enabled). */
export async function setSchedulable(
  nova: NovaCall,
  host: string,
  isSchedulable: boolean,
): Promise<void> {
  await updateComputeService(
    nova,
    await computeServiceId(nova, host),
    isSchedulable
      ? { status: 'enabled' }
      : { status: 'disabled', disabled_reason: 'bench: waiting for its turn' },
  );
}

/** The host fails: its nova-compute dies without a word, while its BMC still reads On. */
export function crashCompute(real: RealNova, host: string): void {
  const pids = computeProcesses(real, host);
  if (pids.length === 0) throw new Error(`no nova-compute process runs for ${host}`);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
}

/** The host's IPMI BMC as fence_ipmilan drives it, in the power states a Redfish BMC reports. */
export function ipmiPower(real: RealNova, host: string): BmcPower {
  return {
    forceOff: async () => {
      await ipmitool(real, host, 'chassis', 'power', 'off');
    },
    powerState: async () =>
      /[Cc]hassis [Pp]ower is off/.test(await ipmitool(real, host, 'chassis', 'power', 'status'))
        ? 'Off'
        : 'On',
  };
}

export interface EvacuationRecord {
  instance: string;
  status: string;
  /** When Nova recorded the evacuation, epoch milliseconds. */
  createdAt: number;
}

/** Every evacuation migration from `host`, as Nova lists them now. */
export async function evacuationsFrom(nova: NovaCall, host: string): Promise<EvacuationRecord[]> {
  const { status, body } = await nova(
    'GET',
    `/os-migrations?source_compute=${host}&migration_type=evacuation`,
  );
  if (status !== 200) throw new Error(`Nova answered the evacuations from ${host} with ${status}`);
  return (
    body as { migrations: { instance_uuid: string; status: string; created_at: string }[] }
  ).migrations.map((migration) => ({
    instance: migration.instance_uuid,
    status: migration.status,
    // Nova's timestamps are UTC without a zone designator.
    createdAt: Date.parse(`${migration.created_at}Z`),
  }));
}

export interface LandingWatch {
  /** When a listing first showed `server`'s evacuation done; throws once one ended in error. */
  landedAt(server: string): number | undefined;
  /** Resolves when every one of `servers` has landed, with the last landing. */
  allLanded(servers: readonly string[], timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** Lists `host`'s evacuations every 100 ms until stopped. */
export function watchLandings(nova: NovaCall, host: string): LandingWatch {
  const landed = new Map<string, number>();
  const watch: { isOn: boolean; failure?: string } = { isOn: true };
  const watching = (async () => {
    while (watch.isOn && watch.failure === undefined) {
      const seenAt = Date.now();
      const records = await evacuationsFrom(nova, host).catch((error: unknown) => {
        watch.failure = `cannot list the evacuations from ${host}: ${error instanceof Error ? error.message : String(error)}`;
        return [];
      });
      for (const { instance, status } of records) {
        if (status === 'error' || status === 'failed')
          watch.failure = `the evacuation of ${instance} from ${host} ended "${status}"`;
        if ((status === 'done' || status === 'completed') && !landed.has(instance))
          landed.set(instance, seenAt);
      }
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    }
  })();
  const landedAt = (server: string): number | undefined => {
    if (watch.failure !== undefined) throw new Error(watch.failure);
    return landed.get(server);
  };
  return {
    landedAt,
    allLanded: (servers, timeoutMs) =>
      until(
        `every server of ${host} to land`,
        () => {
          const landings = servers.map(landedAt);
          return Promise.resolve(
            landings.every((at) => at !== undefined) ? Math.max(...landings) : undefined,
          );
        },
        timeoutMs,
      ),
    stop: async () => {
      watch.isOn = false;
      await watching;
    },
  };
}
