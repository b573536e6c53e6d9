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
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import { ipmitool } from '../test/real-nova/compute-host.ts';
import type { NovaCall } from '../test/real-nova/nova-calls.ts';
import { novaAt, until } from '../test/real-nova/nova-calls.ts';
import type { RealNova } from '../test/real-nova/real-nova.ts';
import { startRealNova } from '../test/real-nova/real-nova.ts';
import { parseOptions, positiveInteger, runCommand, UsageError } from './command-line.ts';
import { describeMachine } from './machine.ts';
import {
  bootServers,
  computeServiceId,
  liftQuotas,
  updateComputeService,
  watchLandings,
} from './real-nova/compute-steps.ts';
import type { Machine } from './machine.ts';
import type { EvacuationTiming, LevelResult } from './nova-capacity-figures.ts';
import { capacityReport, summarizeLevel } from './nova-capacity-figures.ts';

const USAGE =
  'usage: npm run bench:nova-capacity -- [--servers N (16)] [--levels 1,4,16] [--out DIR (bench/results)]';

interface Options {
  servers: number;
  levels: number[];
  out: string;
}

function optionsOf(argv: readonly string[]): Options {
  const values = parseOptions(argv, {
    servers: { type: 'string', default: '16' },
    levels: { type: 'string', default: '1,4,16' },
    out: { type: 'string', default: 'bench/results' },
  });
  const levels = values.levels.split(',').map(Number);
  if (levels.some((level) => !Number.isInteger(level) || level < 1))
    throw new UsageError(
      `--levels must be positive integers separated by commas, not ${values.levels}`,
    );
  return { servers: positiveInteger('--servers', values.servers), levels, out: values.out };
}

/** Evacuates every server of the failed `host`, at most `level` in flight; when each was sent, accepted and seen landed. */
async function evacuateAll(
  nova: NovaCall,
  host: string,
  servers: readonly string[],
  level: number,
): Promise<EvacuationTiming[]> {
  const watch = watchLandings(nova, host);
  try {
    return await mapWithConcurrency(servers, level, async (server) => {
      const sentAt = Date.now();
      const answer = await nova('POST', `/servers/${server}/action`, { evacuate: {} });
      const acceptedAt = Date.now();
      if (answer.status !== 200)
        throw new Error(
          `Nova refused to evacuate ${server}: ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      const landedAt = await until(
        `${server} to land`,
        () => Promise.resolve(watch.landedAt(server)),
        300_000,
      );
      return { sentAt, acceptedAt, landedAt };
    });
  } finally {
    await watch.stop();
  }
}

async function measureLevel(
  real: RealNova,
  host: string,
  options: { servers: number; level: number },
): Promise<LevelResult> {
  const nova = novaAt(real.novaUrl, await real.adminToken());
  const servers = await bootServers(nova, real, host, options.servers, 'capacity');
  await ipmitool(real, host, 'chassis', 'power', 'off');
  await updateComputeService(nova, await computeServiceId(nova, host), { forced_down: true });
  console.error(
    `nova-capacity: level ${options.level}: evacuating ${servers.length} servers from ${host}`,
  );
  return summarizeLevel(options.level, await evacuateAll(nova, host, servers, options.level));
}

async function main(argv: readonly string[]): Promise<void> {
  const options = optionsOf(argv);
  const machine: Machine = await describeMachine();
  // One compute fails per level, and at least one must remain as a destination.
  const real = await startRealNova({ computeCount: options.levels.length + 1 });
  const levels: LevelResult[] = [];
  try {
    await liftQuotas(novaAt(real.novaUrl, await real.adminToken()), real);
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

runCommand('nova-capacity', USAGE, main);
