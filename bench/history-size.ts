// `npm run bench:history [-- --scenarios 1x100,1x400,1x2000,week] [--out DIR]`: how large an
// incident's history grows (docs/design.md#bounded-history). Real incidents on the simulated cloud,
// with the worker process and a fresh Temporal dev server per scenario: one host of 100, 400 and
// 2,000 instances recovered (every instance must land), and a week in AwaitingReadmission with a
// checker reporting every 10 s (60,480 reports, sent as fast as the incident takes them). Writes
// <out>/history-<date>.md.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ensureTemporalCli } from '../infra/temporal/temporal-cli.ts';
import { DEFAULT_TASK_QUEUE } from '../apps/worker/create-worker.ts';
import { mapWithConcurrency } from '../lib/bounded-concurrency.ts';
import { pollUntil } from '../lib/poll-until.ts';
import { evacuationWorkflowId } from '../contracts/evacuation-messages.ts';
import type { IncidentState } from '../contracts/incident-messages.ts';
import { incidentWorkflowId, stateQuery } from '../contracts/incident-messages.ts';
import { reportHostFailure } from '../contracts/incident-start.ts';
import type { incidentWorkflow } from '../workflows/incident-workflow.ts';
import { MAX_RUN_HISTORY_EVENTS } from '../workflows/history-limits.ts';
import { failHosts } from './bench-cloud.ts';
import { waitUntilEvacuationsEnded, withLazarus } from './lazarus-run.ts';
import { describeMachine } from './machine.ts';
import type { Machine } from './machine.ts';
import { EVERY_INSTANCE } from './scenarios.ts';

const { History } = proto.temporal.api.history.v1;

/** Temporal's limits on one run's history, and where it starts to warn. */
const LIMIT = { events: 51_200, bytes: 50 * 2 ** 20 };
const WARNING = { events: 10_240, bytes: 10 * 2 ** 20 };

/** A week of reports every 10 s. */
const WEEK_OF_REPORTS = (7 * 24 * 60 * 60) / 10;
/**
 * Reports sent at once before waiting for the incident to count them: more than 100 signals
 * arriving during one workflow task make the server fail that task to take them (its maximum batch
 * of buffered events), which a real checker, one report every 10 s, never does.
 */
const REPORTS_PER_BATCH = 50;
/** Evacuations of the host at once: the history does not depend on it, the wall time does. */
const EVACUATION_CONCURRENCY = 40;
/** Far above the simulated Nova's needs, so the rate limit does not set the pace. */
const EVACUATE_CALLS_PER_SECOND = 200;
/** Sizes, not times, are measured: the cloud runs this many times faster than real time to keep runs short. */
const TIME_SCALE = 20;

interface Scenario {
  name: string;
  instances: number;
  /** At least 4, so one host down of 5 stays within the storm guard's 25 % and it admits at once. */
  spareHosts: number;
  /** Reports sent after the evacuations, while the incident waits in AwaitingReadmission. */
  reports: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: '1x100', instances: 100, spareHosts: 4, reports: 0 },
  { name: '1x400', instances: 400, spareHosts: 4, reports: 0 },
  { name: '1x2000', instances: 2_000, spareHosts: 16, reports: 0 },
  { name: 'week', instances: 10, spareHosts: 4, reports: WEEK_OF_REPORTS },
];

interface RunSize {
  events: number;
  bytes: number;
}

interface HistoryRow {
  scenario: Scenario;
  landed: number;
  /** The run that fenced and evacuated. */
  firstRun: RunSize;
  /** Every run of the incident, the first included. */
  runs: number;
  largestRun: RunSize;
  totalEvents: number;
  largestChild: RunSize | undefined;
  reportCount: number;
  wallMs: number;
}

/** The history's size as the server stores it: events, and the encoded protobuf's bytes. */
async function sizeOf(handle: WorkflowHandle): Promise<RunSize> {
  const history = History.fromObject(await handle.fetchHistory());
  return { events: history.events.length, bytes: History.encode(history).finish().length };
}

async function runScenario(scenario: Scenario, cliPath: string, workDir: string) {
  const started = Date.now();
  const cloudShape = {
    name: scenario.name,
    failedHosts: 1,
    instancesPerHost: scenario.instances,
    spareHosts: scenario.spareHosts,
  };
  try {
    return await withLazarus(
      cloudShape,
      {
        cliPath,
        workDir,
        evacuateCallsPerSecond: EVACUATE_CALLS_PER_SECOND,
        timeScale: TIME_SCALE,
      },
      ({ client, cloud }) =>
        measure(client, scenario, cloud.failedHosts[0] ?? '', () => failHosts(cloud)),
    );
  } finally {
    progress(`${scenario.name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}

async function measure(
  client: Client,
  scenario: Scenario,
  host: string,
  failHost: () => void,
): Promise<Omit<HistoryRow, 'wallMs'>> {
  failHost();
  const report = (reporter: string) =>
    client.workflow.signalWithStart<typeof incidentWorkflow, [{ reporter: string }]>(
      'incidentWorkflow',
      {
        taskQueue: DEFAULT_TASK_QUEUE,
        ...reportHostFailure(
          { host, reporter, reason: 'node_exporter down' },
          { policy: EVERY_INSTANCE, evacuationConcurrency: EVACUATION_CONCURRENCY },
        ),
      },
    );
  const incident = await report('alertmanager');
  const evacuated = await waitUntilEvacuationsEnded(incident);
  const landed = evacuated.instances.filter((row) => row.progress.outcome === 'landed').length;
  if (landed !== scenario.instances)
    throw new Error(
      `${scenario.name}: ${landed} of ${scenario.instances} instances landed; see the worker log`,
    );
  progress(`${scenario.name}: ${landed} instances landed`);

  const latest = client.workflow.getHandle(incidentWorkflowId(host));
  let sent = 0;
  while (sent < scenario.reports) {
    const batch = Math.min(REPORTS_PER_BATCH, scenario.reports - sent);
    await Promise.all(Array.from({ length: batch }, () => report('checker')));
    sent += batch;
    const expected = sent + 1;
    await pollUntil(
      `the incident to count ${expected} reports`,
      async () => ((await latest.query(stateQuery)).reportCount === expected ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 10 },
    );
    if (sent % 10_000 < REPORTS_PER_BATCH) progress(`${scenario.name}: ${sent} reports counted`);
  }
  const state: IncidentState = await latest.query(stateQuery);
  if (state.incidentId !== evacuated.incidentId || state.phase !== 'AwaitingReadmission')
    throw new Error(`${scenario.name}: the incident is now ${state.incidentId}, ${state.phase}`);

  const runIds = new Set<string>([incident.signaledRunId, (await latest.describe()).runId]);
  for await (const execution of client.workflow.list({
    query: `WorkflowId = "${incidentWorkflowId(host)}"`,
  }))
    runIds.add(execution.runId);
  // Visibility's history length of a run still open is not current: each run is described.
  const runs = await mapWithConcurrency([...runIds], 8, async (runId) => ({
    runId,
    historyLength: (await client.workflow.getHandle(incidentWorkflowId(host), runId).describe())
      .historyLength,
  }));
  const largest = runs.reduce((a, b) => (b.historyLength > a.historyLength ? b : a));
  const sizeOfRun = (runId: string) =>
    sizeOf(client.workflow.getHandle(incidentWorkflowId(host), runId));

  const children = await mapWithConcurrency(evacuated.instances, 16, async (row) => {
    const id = evacuationWorkflowId(evacuated.incidentId, row.instanceId);
    return { id, historyLength: (await client.workflow.getHandle(id).describe()).historyLength };
  });
  const largestChild = children.reduce<(typeof children)[number] | undefined>(
    (a, b) => (a === undefined || b.historyLength > a.historyLength ? b : a),
    undefined,
  );
  return {
    scenario,
    landed,
    firstRun: await sizeOfRun(incident.signaledRunId),
    runs: runs.length,
    largestRun: await sizeOfRun(largest.runId),
    totalEvents: runs.reduce((sum, run) => sum + run.historyLength, 0),
    largestChild:
      largestChild === undefined
        ? undefined
        : await sizeOf(client.workflow.getHandle(largestChild.id)),
    reportCount: state.reportCount,
  };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const size = (run: RunSize | undefined): string =>
  run === undefined ? '-' : `${run.events.toLocaleString('en')} / ${kb(run.bytes)}`;
const share = (run: RunSize): string =>
  `${((100 * run.events) / WARNING.events).toFixed(0)} % / ${((100 * run.bytes) / WARNING.bytes).toFixed(0)} %`;

function renderReport(rows: HistoryRow[], machine: Machine, date: string, wallMs: number): string {
  return [
    `# History per incident, ${date}`,
    '',
    `\`npm run bench:history\` on ${machine.cpuModel} (${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}), load average ${machine.loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end; ${(wallMs / 60_000).toFixed(1)} minutes in all.`,
    '',
    `Each scenario is one real incident on the simulated cloud (1 host failed by power loss, every instance protected, ${EVACUATION_CONCURRENCY} evacuations at once, the cloud ${TIME_SCALE}× faster than real time) with the worker process and a fresh Temporal dev server; sizes are read back with \`fetchHistory()\`: events, and bytes of the encoded \`temporal.api.history.v1.History\`. Temporal's limits per run: ${LIMIT.events.toLocaleString('en')} events or 50 MB; it warns at ${WARNING.events.toLocaleString('en')} events or 10 MB. A waiting incident continues as new past ${MAX_RUN_HISTORY_EVENTS.toLocaleString('en')} events or when the server suggests it (docs/design.md#bounded-history).`,
    '',
    `"week": a host of 10 instances recovered, then ${WEEK_OF_REPORTS.toLocaleString('en')} reports (a checker every 10 s for 7 days) from one more reporter while the incident waits in AwaitingReadmission. They are sent for real, ${REPORTS_PER_BATCH} at a time, each batch counted by the incident before the next, not a week apart: a real checker's report gets a workflow task of its own (about 4 events per report), these share theirs, so the total is lower than a real week's and the number of runs with it; the size of each run is bounded the same way.`,
    '',
    '| scenario | landed | fencing and evacuating run: events / bytes | share of the warning (events / bytes) | runs | largest run: events / bytes | events, all runs | reports counted | largest evacuation child: events / bytes | wall time |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.scenario.name} | ${row.landed}/${row.scenario.instances} | ${size(row.firstRun)} | ${share(row.firstRun)} | ${row.runs} | ${size(row.largestRun)} | ${row.totalEvents.toLocaleString('en')} | ${row.reportCount.toLocaleString('en')} | ${size(row.largestChild)} | ${(row.wallMs / 1000).toFixed(0)} s |`,
    ),
    '',
  ].join('\n');
}

const progress = (line: string): void => {
  console.log(`bench:history: ${line}`);
};

const USAGE = `usage: npm run bench:history [-- --scenarios ${SCENARIOS.map((s) => s.name).join(',')}] [--out DIR]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { scenarios: { type: 'string' }, out: { type: 'string' } },
  });
  const names = values.scenarios?.split(',') ?? SCENARIOS.map((scenario) => scenario.name);
  const scenarios = names.map((name) => {
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    if (scenario === undefined) throw new Error(`no scenario ${name}\n${USAGE}`);
    return scenario;
  });
  const outDir = values.out ?? 'bench/results';
  const started = Date.now();
  const machine = await describeMachine();
  const cliPath = await ensureTemporalCli();
  const workDir = await mkdtemp(join(tmpdir(), 'lazarus-bench-history-'));
  try {
    const rows: HistoryRow[] = [];
    for (const scenario of scenarios) {
      const scenarioStarted = Date.now();
      const runDir = join(workDir, scenario.name);
      await mkdir(runDir, { recursive: true });
      const row = await runScenario(scenario, cliPath, runDir);
      rows.push({ ...row, wallMs: Date.now() - scenarioStarted });
    }
    const date = new Date(started).toISOString().slice(0, 10);
    await mkdir(outDir, { recursive: true });
    const file = join(outDir, `history-${date}.md`);
    const report = renderReport(rows, machine, date, Date.now() - started);
    await writeFile(file, report);
    console.log(`${report}\nbench:history: wrote ${file}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench:history: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
