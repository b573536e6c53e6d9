// `npm run bench [-- --quick] [--repeat N] [--scenarios 1x10,1x100] [--out DIR]`: runs every
// scenario with Lazarus and the two re-enactments, and writes <out>/<date>.md and <date>.svg.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureTemporalCli } from '../infra/temporal/temporal-cli.ts';
import { runBaseline } from './baselines/run-baseline.ts';
import { renderChart } from './chart.ts';
import { idealTimeline } from './ideal-rto.ts';
import { runLazarus } from './lazarus-run.ts';
import { describeMachine } from './machine.ts';
import { renderReport } from './report.ts';
import type { BenchResults, ScenarioResult } from './results.ts';
import { CURRENT_SETTINGS } from './results.ts';
import type { Scenario } from './scenarios.ts';
import { LATENCIES, LAZARUS_CONCURRENCY, REPEATS, SCENARIOS } from './scenarios.ts';

const USAGE = `usage: npm run bench [-- --quick] [--repeat N] [--scenarios ${SCENARIOS.map((s) => s.name).join(',')}] [--out DIR]

  --quick         1x10 only, once (a smoke run; written as <date>-quick.md)
  --repeat N      repeats per scenario (default ${REPEATS}; medians need 3 or more)
  --scenarios L   comma-separated scenario names (default: all)
  --out DIR       where the report and chart go (default: bench/results)`;

interface BenchOptions { scenarios: Scenario[]; repeats: number; outDir: string; suffix: string }

function parseOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({ args, strict: true, allowPositionals: false, options: {
    quick: { type: 'boolean' }, repeat: { type: 'string' }, scenarios: { type: 'string' }, out: { type: 'string' },
  } });
  const names = values.scenarios?.split(',').map((name) => name.trim()) ?? (values.quick === true ? ['1x10'] : SCENARIOS.map((s) => s.name));
  const scenarios = names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (scenario === undefined) throw new Error(`unknown scenario "${name}"; choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return scenario;
  });
  const repeats = values.repeat === undefined ? (values.quick === true ? 1 : REPEATS) : Number(values.repeat);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeat must be a whole number of at least 1, not "${values.repeat ?? ''}"`);
  return { scenarios, repeats, outDir: values.out ?? fileURLToPath(new URL('./results/', import.meta.url)), suffix: values.quick === true ? '-quick' : '' };
}

const progress = (message: string): void => { console.error(`bench: ${message}`); };

async function runScenario(scenario: Scenario, repeats: number, cliPath: string, workDir: string): Promise<ScenarioResult> {
  const result: ScenarioResult = { scenario, ideal: idealTimeline(scenario, LATENCIES, LAZARUS_CONCURRENCY), lazarus: [], masakari: [], pacemaker: [] };
  for (let repeat = 1; repeat <= repeats; repeat += 1) {
    const lazarus = await runLazarus(scenario, { cliPath, workDir: join(workDir, `${scenario.name}-${repeat}`) });
    result.lazarus.push(lazarus);
    progress(`${scenario.name} #${repeat}: Lazarus RTO ${(lazarus.rtoMs / 1000).toFixed(2)} s real`);
    for (const procedure of ['masakari', 'pacemaker'] as const) {
      const run = await runBaseline(procedure, scenario);
      result[procedure].push(run);
      progress(`${scenario.name} #${repeat}: ${procedure} (re-enacted) RTO ${(run.rtoMs / 1000).toFixed(1)} s simulated`);
    }
  }
  return result;
}

async function runBench(options: BenchOptions): Promise<void> {
  const started = Date.now();
  const machine = await describeMachine();
  const cliPath = await ensureTemporalCli();
  const workDir = await mkdtemp(join(tmpdir(), 'lazarus-bench-'));
  try {
    const scenarios: ScenarioResult[] = [];
    for (const scenario of options.scenarios) scenarios.push(await runScenario(scenario, options.repeats, cliPath, workDir));
    const date = new Date(started).toISOString().slice(0, 10);
    const results: BenchResults = { date, machine, repeats: options.repeats, durationMs: Date.now() - started, settings: CURRENT_SETTINGS, scenarios };
    await mkdir(options.outDir, { recursive: true });
    const base = join(options.outDir, `${date}${options.suffix}`);
    await writeFile(`${base}.md`, `${renderReport(results)}\n![Recovery time per scenario](${date}${options.suffix}.svg)\n`);
    await writeFile(`${base}.svg`, renderChart(results));
    console.log(`bench: wrote ${base}.md and ${base}.svg`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

let options: BenchOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}
try {
  await runBench(options);
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
