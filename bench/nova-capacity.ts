// `npm run bench:nova-capacity [-- --servers N] [--levels 1,4,16] [--out DIR]`: how much evacuation
// work a real Nova takes at once, to calibrate the simulator's control plane
// (docs/nova-and-bmc-facts.md#nova-capacity). On the real-Nova tier (Debian's Nova 26.2.2, fake
// virt driver, one conductor and one scheduler worker, on this machine), for each level: N servers
// booted on a compute of its own, the compute powered off through its BMC and forced down, then
// every server evacuated with at most `level` evacuations in flight (sent and not yet landed) onto an
// empty spare of its own, every other compute disabled meanwhile. So every level meets the same
// destination: when the levels shared the computes not yet failed, each level had fewer and fuller
// destinations than the one before, and the last level's figures were the destination's, not the
// level's. Landings are read from one os-migrations listing of the host per tick, so watching adds
// one request per tick, not one per server. Writes <out>/nova-capacity-<date>.md.
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
  setSchedulable,
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

/** One level: `servers` (booted on `host`) evacuated, `level` in flight, onto the only compute enabled besides `host`. */
async function measureLevel(
  real: RealNova,
  host: string,
  options: { servers: readonly string[]; level: number },
): Promise<LevelResult> {
  const nova = novaAt(real.novaUrl, await real.adminToken());
  await ipmitool(real, host, 'chassis', 'power', 'off');
  await updateComputeService(nova, await computeServiceId(nova, host), { forced_down: true });
  console.error(
    `nova-capacity: level ${options.level}: evacuating ${options.servers.length} servers from ${host}`,
  );
  return summarizeLevel(
    options.level,
    await evacuateAll(nova, host, options.servers, options.level),
  );
}

async function main(argv: readonly string[]): Promise<void> {
  const options = optionsOf(argv);
  const machine: Machine = await describeMachine();
  // Per level, a compute that fails and an empty spare where its servers land.
  const real = await startRealNova({ computeCount: 2 * options.levels.length });
  const failing = real.computeHosts.slice(0, options.levels.length);
  const spares = real.computeHosts.slice(options.levels.length);
  const levels: LevelResult[] = [];
  try {
    const nova = novaAt(real.novaUrl, await real.adminToken());
    await liftQuotas(nova, real);
    const serversOf = new Map<string, string[]>();
    for (const host of failing) {
      console.error(`nova-capacity: booting ${options.servers} servers on ${host}`);
      serversOf.set(host, await bootServers(nova, real, host, options.servers, 'capacity'));
    }
    for (const host of real.computeHosts) await setSchedulable(nova, host, false);
    for (const [index, level] of options.levels.entries()) {
      const host = failing[index];
      const spare = spares[index];
      if (host === undefined || spare === undefined)
        throw new Error(`no compute host or spare for level ${level}`);
      await setSchedulable(nova, host, true);
      await setSchedulable(nova, spare, true);
      try {
        levels.push(await measureLevel(real, host, { servers: serversOf.get(host) ?? [], level }));
      } finally {
        await setSchedulable(nova, spare, false);
      }
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
