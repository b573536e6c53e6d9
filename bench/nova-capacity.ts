// `npm run bench:nova-capacity [-- --servers N] [--levels 1,4,16] [--out DIR]`: how much evacuation
// work a real Nova takes at once, to calibrate the simulator's control plane
// (docs/nova-and-bmc-facts.md#nova-capacity). On the real-Nova tier (Debian's Nova 26.2.2, fake
// virt driver, one conductor and one scheduler worker, on this machine), for each level: N servers
// booted on one compute, the compute powered off through its BMC and forced down, then every server
// evacuated with at most `level` evacuations in flight (sent and not yet landed). Landings are read
// from one os-migrations listing of the host per tick, so watching adds one request per tick, not
// one per server. Writes <out>/nova-capacity-<date>.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import { ipmitool } from '../test/real-nova/compute-host.ts';
import type { NovaCall } from '../test/real-nova/nova-calls.ts';
import { bootOn, novaAt, until } from '../test/real-nova/nova-calls.ts';
import type { RealNova } from '../test/real-nova/real-nova.ts';
import { startRealNova } from '../test/real-nova/real-nova.ts';
import { describeMachine } from './machine.ts';
import type { Machine } from './machine.ts';
import type { EvacuationTiming, LevelResult } from './nova-capacity-figures.ts';
import { capacityReport, summarizeLevel } from './nova-capacity-figures.ts';

const USAGE =
  'usage: npm run bench:nova-capacity -- [--servers N (16)] [--levels 1,4,16] [--out DIR (bench/results)]';
/** How often the host's evacuations are listed while they are in flight. */
const WATCH_INTERVAL_MS = 100;
/** Servers booted at once while preparing a level: the boots are not what is measured. */
const BOOT_CONCURRENCY = 4;

interface Options {
  servers: number;
  levels: number[];
  out: string;
}

function parseOptions(argv: readonly string[]): Options {
  let values: { servers: string; levels: string; out: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        servers: { type: 'string', default: '16' },
        levels: { type: 'string', default: '1,4,16' },
        out: { type: 'string', default: 'bench/results' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const servers = Number(values.servers);
  const levels = values.levels.split(',').map(Number);
  if (!Number.isInteger(servers) || servers < 1)
    throw new UsageError(`--servers must be a positive integer, not ${values.servers}`);
  if (levels.some((level) => !Number.isInteger(level) || level < 1))
    throw new UsageError(
      `--levels must be positive integers separated by commas, not ${values.levels}`,
    );
  return { servers, levels, out: values.out };
}

class UsageError extends Error {}

async function serviceId(nova: NovaCall, host: string): Promise<string> {
  const { body } = await nova('GET', `/os-services?binary=nova-compute&host=${host}`);
  const id = (body as { services: { id: string }[] }).services[0]?.id;
  if (id === undefined) throw new Error(`Nova lists no nova-compute service on ${host}`);
  return id;
}

/** The host's evacuation migrations, by instance: their status now. */
async function evacuationsFrom(nova: NovaCall, host: string): Promise<Map<string, string>> {
  const { body } = await nova(
    'GET',
    `/os-migrations?source_compute=${host}&migration_type=evacuation`,
  );
  const migrations = (body as { migrations: { instance_uuid: string; status: string }[] })
    .migrations;
  return new Map(migrations.map((migration) => [migration.instance_uuid, migration.status]));
}

/** Evacuates every server of the failed `host`, at most `level` in flight; when each was sent, accepted and seen landed. */
async function evacuateAll(
  nova: NovaCall,
  host: string,
  servers: readonly string[],
  level: number,
): Promise<EvacuationTiming[]> {
  const landed = new Map<string, number>();
  const watch: { isOn: boolean; failure?: string } = { isOn: true };
  const watching = (async () => {
    while (watch.isOn && watch.failure === undefined) {
      const seenAt = Date.now();
      const statuses = await evacuationsFrom(nova, host).catch((error: unknown) => {
        watch.failure = `cannot list the evacuations from ${host}: ${error instanceof Error ? error.message : String(error)}`;
        return new Map<string, string>();
      });
      for (const [instance, status] of statuses) {
        if (status === 'error' || status === 'failed')
          watch.failure = `the evacuation of ${instance} from ${host} ended "${status}"`;
        if ((status === 'done' || status === 'completed') && !landed.has(instance))
          landed.set(instance, seenAt);
      }
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    }
  })();
  const landing = (server: string): Promise<number | undefined> => {
    if (watch.failure !== undefined) throw new Error(watch.failure);
    return Promise.resolve(landed.get(server));
  };
  try {
    return await mapWithConcurrency(servers, level, async (server) => {
      const sentAt = Date.now();
      const answer = await nova('POST', `/servers/${server}/action`, { evacuate: {} });
      const acceptedAt = Date.now();
      if (answer.status !== 200)
        throw new Error(
          `Nova refused to evacuate ${server}: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      const landedAt = await until(`${server} to land`, () => landing(server), 300_000);
      return { sentAt, acceptedAt, landedAt };
    });
  } finally {
    watch.isOn = false;
    await watching;
  }
}

async function measureLevel(
  real: RealNova,
  host: string,
  options: { servers: number; level: number },
): Promise<LevelResult> {
  const nova = novaAt(real.novaUrl, await real.adminToken());
  const names = Array.from({ length: options.servers }, (_, i) => `capacity-${host}-${i + 1}`);
  const servers = await mapWithConcurrency(names, BOOT_CONCURRENCY, (name) =>
    bootOn(nova, real, host, name),
  );
  await ipmitool(real, host, 'chassis', 'power', 'off');
  const forced = await nova('PUT', `/os-services/${await serviceId(nova, host)}`, {
    forced_down: true,
  });
  if (forced.status !== 200)
    throw new Error(
      `Nova refused to force ${host} down: ${forced.status} ${JSON.stringify(forced.body)}`,
    );
  console.error(
    `nova-capacity: level ${options.level}: evacuating ${servers.length} servers from ${host}`,
  );
  return summarizeLevel(options.level, await evacuateAll(nova, host, servers, options.level));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine: Machine = await describeMachine();
  // One compute fails per level, and at least one must remain as a destination.
  const real = await startRealNova({ computeCount: options.levels.length + 1 });
  const levels: LevelResult[] = [];
  try {
    for (const [index, level] of options.levels.entries()) {
      const host = real.computeHosts[index];
      if (host === undefined) throw new Error(`no compute host for level ${level}`);
      levels.push(await measureLevel(real, host, { servers: options.servers, level }));
    }
  } finally {
    await real.stop();
  }
  const date = new Date().toISOString().slice(0, 10);
  const report = capacityReport({ date, machine, servers: options.servers, levels });
  await mkdir(options.out, { recursive: true });
  const path = join(options.out, `nova-capacity-${date}.md`);
  await writeFile(path, report);
  console.log(report);
  console.error(`nova-capacity: written to ${path}`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`nova-capacity: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`nova-capacity: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
