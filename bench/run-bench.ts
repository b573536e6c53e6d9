// `npm run bench [-- --quick] [--repeat N] [--scenarios 1x10,1x100] [--out DIR]`: runs every
// scenario with Lazarus and the two re-enactments, and writes <out>/<date>.md and <date>.svg.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnGuarded } from '../infra/process/guarded-process.ts';
import { ensureTemporalCli } from '../infra/temporal/temporal-cli.ts';
import type { BaselineProcedure, BaselineRun } from './baselines/run-baseline.ts';
import { renderChart } from './chart.ts';
import { parseOptions, positiveInteger, runCommand, UsageError } from './command-line.ts';
import { physicalLimit } from './physical-limit.ts';
import { runLazarus } from './lazarus-run.ts';
import { describeMachine } from './machine.ts';
import { renderReport } from './report.ts';
import type { BenchResults, CrashResult, ScenarioResult } from './results.ts';
import { CURRENT_SETTINGS } from './results.ts';
import type { CrashScenario, Scenario } from './scenarios.ts';
import { CRASH_SCENARIOS, LATENCIES, NOVA_CAPACITY, REPEATS, SCENARIOS } from './scenarios.ts';

const USAGE = `usage: npm run bench [-- --quick] [--repeat N] [--scenarios ${[...SCENARIOS, ...CRASH_SCENARIOS].map((s) => s.name).join(',')}] [--out DIR]

  --quick         1x10 only, once (a smoke run; written as <date>-quick.md)
  --repeat N      repeats per scenario (default ${REPEATS}; medians need 3 or more)
  --scenarios L   comma-separated scenario names (default: all but ${SCENARIOS.filter(
    (s) => s.isOnRequestOnly === true,
  )
    .map((s) => s.name)
    .join(', ')}, which take too long)
  --out DIR       where the report and chart go (default: bench/results)`;

interface BenchOptions {
  scenarios: Scenario[];
  crashes: CrashScenario[];
  repeats: number;
  outDir: string;
  suffix: string;
}

function benchOptions(argv: readonly string[]): BenchOptions {
  const values = parseOptions(argv, {
    quick: { type: 'boolean' },
    repeat: { type: 'string' },
    scenarios: { type: 'string' },
    out: { type: 'string' },
  });
  const everyName = [...SCENARIOS, ...CRASH_SCENARIOS].map((s) => s.name);
  const names =
    values.scenarios?.split(',').map((name) => name.trim()) ??
    (values.quick === true
      ? ['1x10']
      : [
          ...SCENARIOS.filter((s) => s.isOnRequestOnly !== true).map((s) => s.name),
          ...CRASH_SCENARIOS.map((s) => s.name),
        ]);
  const unknown = names.find((name) => !everyName.includes(name));
  if (unknown !== undefined)
    throw new UsageError(`unknown scenario "${unknown}"; choose from ${everyName.join(', ')}`);
  const repeats =
    values.repeat === undefined
      ? values.quick === true
        ? 1
        : REPEATS
      : positiveInteger('--repeat', values.repeat);
  return {
    scenarios: SCENARIOS.filter((s) => names.includes(s.name)),
    crashes: CRASH_SCENARIOS.filter((s) => names.includes(s.name)),
    repeats,
    outDir: values.out ?? fileURLToPath(new URL('./results/', import.meta.url)),
    suffix: values.quick === true ? '-quick' : '',
  };
}

const progress = (message: string): void => {
  console.error(`bench: ${message}`);
};

const BASELINE_ENTRY = fileURLToPath(new URL('./baselines/baseline-process.ts', import.meta.url));

async function runBaselineProcess(
  procedure: BaselineProcedure,
  scenario: Scenario,
  runDir: string,
): Promise<BaselineRun> {
  const run = spawnGuarded(
    process.execPath,
    ['--import', 'tsx', BASELINE_ENTRY, procedure, scenario.name],
    { logFile: join(runDir, `${procedure}.log`), graceMs: 5_000 },
  );
  const status = await run.exited;
  const lastLine = run.outputTail(1);
  if (status !== 0 || !lastLine.startsWith('{'))
    throw new Error(
      `the ${procedure} re-enactment of ${scenario.name} failed (status ${status}):\n${run.outputTail()}`,
    );
  return JSON.parse(lastLine) as BaselineRun;
}

async function runScenario(
  scenario: Scenario,
  repeats: number,
  cliPath: string,
  workDir: string,
): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    scenario,
    limit: physicalLimit(scenario, LATENCIES, NOVA_CAPACITY),
    lazarus: [],
    masakari: [],
    pacemaker: [],
  };
  for (let repeat = 1; repeat <= repeats; repeat += 1) {
    // At once, each on its own cloud in its own process: the re-enactments mostly wait, and this keeps the suite short.
    const runDir = join(workDir, `${scenario.name}-${repeat}`);
    await mkdir(runDir, { recursive: true });
    const [lazarus, masakari, pacemaker] = await Promise.all([
      runLazarus(scenario, { cliPath, workDir: runDir }),
      runBaselineProcess('masakari', scenario, runDir),
      runBaselineProcess('pacemaker', scenario, runDir),
    ]);
    result.lazarus.push(lazarus);
    result.masakari.push(masakari);
    result.pacemaker.push(pacemaker);
    const rto = (run: { rtoMs: number }): string => `${(run.rtoMs / 1000).toFixed(2)} s`;
    progress(
      `${scenario.name} #${repeat}: RTO Lazarus ${rto(lazarus)}, Masakari (re-enacted) ${rto(masakari)}, Pacemaker (re-enacted) ${rto(pacemaker)}, physical limit ${rto(result.limit)}`,
    );
  }
  return result;
}

/**
 * Each repeat runs Lazarus as is, then with a worker SIGKILLed mid-evacuation, one after the other,
 * on clouds in real time: what a lost worker costs (heartbeat and sticky-queue timeouts, Nova's
 * recording margin) is real time, and the goal is in real seconds.
 */
async function runCrashScenario(
  crash: CrashScenario,
  repeats: number,
  cliPath: string,
  workDir: string,
): Promise<CrashResult> {
  const result: CrashResult = { crash, undisturbed: [], killed: [] };
  for (let repeat = 1; repeat <= repeats; repeat += 1) {
    const runDir = join(workDir, `${crash.name}-${repeat}`);
    const undisturbed = await runLazarus(crash.scenario, {
      cliPath,
      workDir: join(runDir, 'undisturbed'),
      timeScale: 1,
    });
    const killed = await runLazarus(crash.scenario, {
      cliPath,
      workDir: join(runDir, 'killed'),
      killsWorkerMidEvacuation: true,
      timeScale: 1,
    });
    result.undisturbed.push(undisturbed);
    result.killed.push(killed);
    const rto = (run: { rtoMs: number }): string => `${(run.rtoMs / 1000).toFixed(2)} s`;
    progress(
      `${crash.name} #${repeat}: RTO ${rto(undisturbed)} as is, ${rto(killed)} with a worker SIGKILLed ${rto({ rtoMs: killed.workerKilledAtMs ?? Number.NaN })} after the report; at most ${killed.exactlyOnce.maxEvacuatesPerInstance} evacuate per instance, ${killed.exactlyOnce.violations.length} ledger violations`,
    );
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
    for (const scenario of options.scenarios)
      scenarios.push(await runScenario(scenario, options.repeats, cliPath, workDir));
    const crashes: CrashResult[] = [];
    for (const crash of options.crashes)
      crashes.push(await runCrashScenario(crash, options.repeats, cliPath, workDir));
    const date = new Date(started).toISOString().slice(0, 10);
    const results: BenchResults = {
      date,
      machine,
      repeats: options.repeats,
      durationMs: Date.now() - started,
      loadAtEnd: loadavg()[0] ?? 0,
      settings: CURRENT_SETTINGS,
      scenarios,
      crashes,
    };
    await mkdir(options.outDir, { recursive: true });
    const base = join(options.outDir, `${date}${options.suffix}`);
    await writeFile(
      `${base}.md`,
      `${renderReport(results)}\n![Recovery time per scenario](${date}${options.suffix}.svg)\n`,
    );
    await writeFile(`${base}.svg`, renderChart(results));
    console.log(`bench: wrote ${base}.md and ${base}.svg`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

runCommand('bench', USAGE, async (argv) => runBench(benchOptions(argv)));
