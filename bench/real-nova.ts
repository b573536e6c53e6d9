// `npm run bench:real-nova [-- --servers N] [--out DIR]`: Lazarus and the Pacemaker fire-and-forget
// re-enactment recover one crashed compute each on the real-Nova tier, in the same run, against the
// physical limit measured on a third compute of the same Nova (issue 17, item 6). Six computes: three
// get N servers each, and each recovery has an empty spare of its own where its servers land (every
// other compute waits disabled), so no run finds a spare already loaded by the one before. Lazarus
// goes first, so its storm guard sees one compute down, as it would for one failure. Writes
// <out>/real-nova-<date>.md (-smoke below 30 servers, the minimum).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalCli } from '../infra/temporal/temporal-cli.ts';
import { novaAt } from '../test/real-nova/nova-calls.ts';
import { startRealNova } from '../test/real-nova/real-nova.ts';
import { parseOptions, positiveInteger, runCommand } from './command-line.ts';
import { describeMachine } from './machine.ts';
import type { ProcedureRun } from './real-nova-figures.ts';
import { realNovaReport } from './real-nova-figures.ts';
import { bootServers, liftQuotas, setSchedulable } from './real-nova/compute-steps.ts';
import { countedCloud } from './real-nova/counted-cloud.ts';
import { startCountingProxy } from './real-nova/counting-proxy.ts';
import type { HostUnderTest } from './real-nova/procedure-runs.ts';
import { runLazarus, runPacemaker, runPhysicalLimit } from './real-nova/procedure-runs.ts';

/** Lazarus, the re-enactment and the limit: each gets a failing compute and an empty spare of its own. */
const RECOVERIES = 3;
/** The minimum for the reported comparison; fewer make a smoke run. */
const REPORTED_SERVERS = 30;

const USAGE = `usage: npm run bench:real-nova -- [--servers N] [--out DIR]

  --servers N   servers on each failed compute (default ${REPORTED_SERVERS}; fewer make a smoke run, written as real-nova-<date>-smoke.md)
  --out DIR     where the report goes (default: bench/results)
  --help        this text`;

const progress = (message: string): void => {
  console.error(`bench:real-nova: ${message}`);
};

async function main(argv: readonly string[]): Promise<void> {
  const values = parseOptions(argv, {
    servers: { type: 'string', default: String(REPORTED_SERVERS) },
    out: { type: 'string', default: 'bench/results' },
  });
  const serverCount = positiveInteger('--servers', values.servers);
  const started = Date.now();
  const machine = await describeMachine();
  const cliPath = await ensureTemporalCli();
  const workDir = await mkdtemp(join(tmpdir(), 'lazarus-bench-real-nova-'));
  const real = await startRealNova({ computeCount: 2 * RECOVERIES });
  const runs: ProcedureRun[] = [];
  try {
    const failing = real.computeHosts.slice(0, RECOVERIES);
    const spares = real.computeHosts.slice(RECOVERIES);
    const nova = novaAt(real.novaUrl, await real.adminToken());
    await liftQuotas(nova, real);
    const serversOf = new Map<string, string[]>();
    for (const host of failing) {
      progress(`booting ${serverCount} servers on ${host}`);
      serversOf.set(host, await bootServers(nova, real, host, serverCount, 'bench'));
    }
    for (const host of real.computeHosts) await setSchedulable(nova, host, false);
    const proxy = await startCountingProxy(real.novaUrl);
    try {
      const cloud = await countedCloud(real, proxy.novaUrl, workDir);
      /** The `index`th recovery, on its failing host, with only its own spare open to the scheduler. */
      const turn = async (
        index: number,
        recover: (target: HostUnderTest) => Promise<ProcedureRun>,
      ): Promise<void> => {
        const host = failing[index];
        const spare = spares[index];
        if (host === undefined || spare === undefined)
          throw new Error(
            `the real-Nova tier started ${real.computeHosts.length} computes, not ${2 * RECOVERIES}`,
          );
        await setSchedulable(nova, host, true);
        await setSchedulable(nova, spare, true);
        try {
          const run = await recover({
            real,
            nova,
            proxy,
            host,
            servers: serversOf.get(host) ?? [],
          });
          runs.push(run);
          progress(
            `${run.procedure} on ${run.host}: last landing ${((run.lastLandedAt - run.reportedAt) / 1000).toFixed(2)} s after the report`,
          );
        } finally {
          await setSchedulable(nova, spare, false);
        }
      };
      await turn(0, (target) =>
        runLazarus(target, { cliPath, workDir: join(workDir, 'lazarus'), cloud }),
      );
      await turn(1, runPacemaker);
      await turn(2, runPhysicalLimit);
    } finally {
      await proxy.stop();
    }
  } finally {
    await real.stop();
    await rm(workDir, { recursive: true, force: true });
  }
  const [lazarus, pacemaker, limit] = runs;
  if (lazarus === undefined || pacemaker === undefined || limit === undefined)
    throw new Error(`${runs.length} of the 3 recoveries were measured`);
  const date = new Date(started).toISOString().slice(0, 10);
  const report = realNovaReport({
    date,
    machine,
    durationMs: Date.now() - started,
    loadAtEnd: loadavg()[0] ?? 0,
    servers: serverCount,
    lazarus,
    pacemaker,
    limit,
  });
  await mkdir(values.out, { recursive: true });
  const path = join(
    values.out,
    `real-nova-${date}${serverCount < REPORTED_SERVERS ? '-smoke' : ''}.md`,
  );
  await writeFile(path, report);
  console.log(report);
  progress(`written to ${path}`);
}

runCommand('bench:real-nova', USAGE, main);
