// One chaos run: a simulated cloud, a Temporal dev server on its own SQLite file, worker processes;
// the plan's failures, faults and kills while the incidents run; then the faults are healed, the
// incidents left to settle, and the run judged.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { connectNovaOnFirstUse } from '../activities/incident/index.ts';
import { writeLazarusConfigForSimulator } from '../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { startBmcFleet } from '../simulator/bmc/index.ts';
import { cloudName } from '../simulator/clouds-yaml.ts';
import { startSimulator } from '../simulator/simulator.ts';
import { pollUntil } from '../lib/poll-until.ts';
import { IncidentDesk } from './incident-desk.ts';
import type { RunParts, RunRecord } from './inject.ts';
import { perform } from './inject.ts';
import type { FaultKind, RunPlan } from './schedule.ts';
import { harnessRandom } from './schedule.ts';
import { ChaosTemporalServer } from './temporal-server.ts';
import type { TimelineEntry } from './timeline.ts';
import { Timeline } from './timeline.ts';
import type { ChaosViolation, IncidentObservation } from './verdict.ts';
import { judgeRun, liveIncidents } from './verdict.ts';
import { WorkerFleet } from './worker-fleet.ts';
import { BUNDLE_VARIABLE } from './worker-protocol.ts';

/** Simulated time runs 1000 times faster: Nova's 60 s service_down_time takes 60 ms. */
const TIME_SCALE = 1000;
/** By default rebuilds take 10 real seconds, so evacuations are in flight long enough for the chaos (a cascade, a human, a retry) to meet them. */
export const DEFAULT_REBUILD_SECONDS = 10;
/** Activity timeouts after a SIGKILL (up to 2 minutes) and retry backoffs bound how long incidents take. */
const SETTLE_TIMEOUT_MS = 8 * 60_000;

export interface ChaosEnvironment {
  cliPath: string;
  /** The workflows bundled once for every worker of every run. */
  bundlePath: string;
  /** Each run works in a directory of its own below this one. */
  workDirectory: string;
  /** How long Nova takes to rebuild an evacuated instance, in real seconds. */
  rebuildSeconds: number;
}

export interface RunReport {
  seed: number;
  workerKills: number;
  boundaryKills: number;
  unexpectedWorkerExits: number;
  serverKills: number;
  faults: Partial<Record<FaultKind, number>>;
  recovered: number;
  failedVisibly: number;
  violations: ChaosViolation[];
  durationMs: number;
  timeline: TimelineEntry[];
}

export async function runOnce(plan: RunPlan, environment: ChaosEnvironment): Promise<RunReport> {
  const timeline = new Timeline();
  const random = harnessRandom(plan.seed);
  const directory = await mkdtemp(join(environment.workDirectory, `seed-${plan.seed}-`));
  const stack: (() => Promise<unknown>)[] = [];
  const record: RunRecord = {
    failedHosts: [],
    someoneElse: [],
    faults: {},
    serverKills: 0,
    bmcFaultClears: new Set(),
    lingeringFaults: [],
    aborts: [],
    reports: [],
  };
  let fleet: WorkerFleet | undefined;
  try {
    const sim = await startSimulator({
      hosts: plan.shape.hosts,
      instancesPerHost: plan.shape.instancesPerHost,
      seed: plan.seed,
      timeScale: TIME_SCALE,
      timing: { rebuildMs: environment.rebuildSeconds * 1000 * TIME_SCALE },
      startBmcFleet,
      bmc: { ipmiHosts: 1 },
    });
    stack.push(() => sim.stop());
    const { configPath, env } = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
      directory,
    );
    const server = await ChaosTemporalServer.start({
      cliPath: environment.cliPath,
      dbFile: join(directory, 'temporal.sqlite'),
      logFile: join(directory, 'temporal.log'),
    });
    stack.push(() => server.stop());
    fleet = new WorkerFleet({
      configPath,
      logDirectory: directory,
      timeline,
      random,
      env: {
        ...process.env,
        ...env,
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        [BUNDLE_VARIABLE]: environment.bundlePath,
        // Fencing that cannot be proven says so within seconds, not the production 20 s per attempt.
        LAZARUS_FENCING_POWER_OFF_TIMEOUT_SECONDS: '3',
        LAZARUS_FENCING_POLL_INTERVAL_SECONDS: '0.2',
        LAZARUS_FENCING_REQUEST_TIMEOUT_SECONDS: '5',
      },
    });
    const workers = fleet;
    stack.push(() => workers.stop());
    await fleet.start(plan.boundaryKill);
    const connection = await Connection.connect({ address: server.address });
    stack.push(() => connection.close());
    const desk = new IncidentDesk(new Client({ connection, namespace: 'default' }), {
      address: server.address,
      cliPath: environment.cliPath,
      timeline,
      readmission: plan.readmission,
      restartCompute: (host) => {
        sim.restartCompute(host);
      },
    });
    const humanNova = connectNovaOnFirstUse({
      env: env,
      cloud: cloudName,
      logger: { warn: () => undefined },
    });
    stack.push(() => humanNova.close());
    // Signed in beforehand, so the human's evacuate leaves the moment the host is off, as a racing human's would.
    await humanNova.client();
    const parts: RunParts = { sim, server, fleet, desk, humanNova, timeline, random };

    await carryOut(plan, parts, record);
    await heal(parts, record);
    const stillMoving = await settle(desk, settleDeadline(record));
    const incidents = await desk.observe();
    for (const incident of incidents) timeline.note(describeIncident(incident));
    const state = sim.state();
    const violations = judgeRun({
      ledger: sim.ledger(),
      failedHosts: record.failedHosts,
      incidents,
      someoneElse: record.someoneElse,
      finalInstances: state.instances,
      migrations: state.migrations.map((m) => ({ id: m.id, status: m.status, source: m.source })),
      failedEvacuations: await desk.failedEvacuations(),
      aborts: record.aborts,
      reports: record.reports,
      unansweredUpdates: desk.unansweredUpdates,
    });
    if (stillMoving !== undefined)
      violations.push({
        invariant: 'I9',
        message: `not settled by the deadline (${SETTLE_TIMEOUT_MS / 60_000} minutes, or ${AFTER_OUTAGE_MS / 60_000} after a long Nova outage ended): ${stillMoving}`,
      });
    timeline.note(`judged: ${violations.length} violation(s)`);
    return report(plan, fleet, record, incidents, violations, timeline);
  } catch (error) {
    timeline.note(
      `the harness failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    const violations: ChaosViolation[] = [
      {
        invariant: 'harness',
        message: `the run could not be carried out: ${error instanceof Error ? error.message : String(error)}`,
      },
    ];
    return report(plan, fleet, record, [], violations, timeline);
  } finally {
    for (const timer of record.bmcFaultClears) clearTimeout(timer);
    for (const undo of stack.reverse()) await undo().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  }
}

/** Each action at its time (BMC faults before the failure), running side by side as they would. */
async function carryOut(plan: RunPlan, parts: RunParts, record: RunRecord): Promise<void> {
  const started = Date.now();
  await Promise.all(
    plan.actions.map(async ({ atMs, action }) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + atMs - Date.now())));
      try {
        await perform(action, parts, record);
      } catch (error) {
        parts.timeline.note(
          `${action.kind} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }),
  );
}

/** The chaos ends: faults cleared, the server up, at least one worker. */
async function heal(parts: RunParts, record: RunRecord): Promise<void> {
  await record.serverRestart;
  if (!parts.server.isUp) await parts.server.restart();
  parts.sim.clearFaults();
  for (const timer of record.bmcFaultClears) clearTimeout(timer);
  record.bmcFaultClears.clear();
  // A long Nova outage outlasts the window: put it back, and clear it when it ends.
  const lingering = record.lingeringFaults.filter((fault) => fault.untilMs > Date.now());
  for (const { rule } of lingering) parts.sim.addFault(rule);
  if (lingering.length > 0) {
    const endsAt = Math.max(...lingering.map((fault) => fault.untilMs));
    const timer = setTimeout(() => {
      record.bmcFaultClears.delete(timer);
      parts.sim.clearFaults();
      parts.timeline.note('the long Nova outage is over');
    }, endsAt - Date.now());
    record.bmcFaultClears.add(timer);
  }
  for (const host of Object.keys(parts.sim.bmcs)) parts.sim.setBmcFaults(host, {});
  await parts.fleet.ensureOne();
  parts.timeline.note('chaos over: faults cleared, server and a worker up');
}

/** Once Nova is back after a long outage, incidents wait at most a minute before they try again. */
const AFTER_OUTAGE_MS = 5 * 60_000;

/** How long the incidents may take to settle from now: longer while a long Nova outage lasts. */
function settleDeadline(record: RunRecord): number {
  const outageEnds = Math.max(0, ...record.lingeringFaults.map((fault) => fault.untilMs));
  return Math.max(SETTLE_TIMEOUT_MS, outageEnds - Date.now() + AFTER_OUTAGE_MS);
}

/** Undefined once settled, else what was still moving at the deadline. */
async function settle(desk: IncidentDesk, timeoutMs: number): Promise<string | undefined> {
  let last: string | undefined = 'nothing checked yet';
  await pollUntil(
    'the incidents to settle',
    async () => {
      last = await desk
        .whatIsStillMoving()
        .catch(
          (error: unknown) =>
            `cannot tell: ${error instanceof Error ? error.message : String(error)}`,
        );
      return last === undefined ? true : undefined;
    },
    { timeoutMs, intervalMs: 1_000 },
  ).catch(() => undefined);
  return last;
}

function describeIncident({ workflowId, runId, status, state }: IncidentObservation): string {
  const outcomes = new Map<string, number>();
  for (const row of state?.instances ?? [])
    outcomes.set(row.progress.outcome, (outcomes.get(row.progress.outcome) ?? 0) + 1);
  const table = [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
  return `${workflowId} run ${runId}: ${status}${state === undefined ? '' : `, phase ${state.phase}, ${table === '' ? 'no instances' : table}`}`;
}

function report(
  plan: RunPlan,
  fleet: WorkerFleet | undefined,
  record: RunRecord,
  incidents: readonly IncidentObservation[],
  violations: ChaosViolation[],
  timeline: Timeline,
): RunReport {
  const rows = liveIncidents({ incidents }).flatMap((incident) => incident.state?.instances ?? []);
  return {
    seed: plan.seed,
    workerKills: fleet?.kills ?? 0,
    boundaryKills: fleet?.boundaryKills ?? 0,
    unexpectedWorkerExits: fleet?.unexpectedExits ?? 0,
    serverKills: record.serverKills,
    faults: record.faults,
    recovered: new Set(
      rows
        .filter(
          (row) => row.progress.outcome === 'landed' || row.progress.outcome === 'alreadyEvacuated',
        )
        .map((row) => row.instanceId),
    ).size,
    failedVisibly: new Set(
      rows.filter((row) => row.progress.outcome === 'failed').map((row) => row.instanceId),
    ).size,
    violations,
    durationMs: timeline.elapsedMs(),
    timeline: timeline.entries,
  };
}
