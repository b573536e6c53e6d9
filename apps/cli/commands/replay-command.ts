// `lazarus replay`: the check to run before every upgrade (docs/operations.md#upgrades). A new
// build's workers take over incidents in flight (AUTO_UPGRADE, or any unversioned restart) by
// replaying their histories on the new workflow code; where that code schedules something else than
// the history recorded, the incident stops on a nondeterminism error. This command does that replay
// ahead of time, on this build's workflow code, for every open workflow of the deployment's task
// queue and those closed recently (their paths are the ones open incidents may still take), and
// names each run that would fail.
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Client, HistoryAndWorkflowId, WorkflowExecutionInfo } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOWS_PATH } from '../../worker/create-worker.ts';
import { buildId } from '../../build-id.ts';
import type { Command } from './temporal-command.ts';
import { temporalCommand } from './temporal-command.ts';

const DEFAULT_CLOSED_SINCE = '7d';
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30m`, `12h`, `7d` in milliseconds, `0` for none; undefined for anything else. */
export function parseAge(text: string): number | undefined {
  if (text === '0') return 0;
  const match = /^(\d+)([mhd])$/.exec(text);
  if (match === null) return undefined;
  const [, amount = '', unit = 'd'] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

export interface ReplayedRun {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** RUNNING, COMPLETED, CONTINUED_AS_NEW, … as Temporal lists it. */
  status: string;
  /** The events replayed: the history as fetched, which for an open run may have grown since. */
  events: number;
  /** Absent when the run replayed on this code. */
  failure?: { kind: 'nondeterminism' | 'replay'; message: string };
}

/** The deployment's runs to replay: every open one of the task queue, and those closed since `closedSince`. */
export function replayQuery(taskQueue: string, closedSince: Date | undefined): string {
  const open = 'ExecutionStatus = "Running"';
  const which =
    closedSince === undefined ? open : `(${open} OR CloseTime >= "${closedSince.toISOString()}")`;
  return `TaskQueue = "${taskQueue}" AND ${which}`;
}

async function listRuns(client: Client, query: string): Promise<WorkflowExecutionInfo[]> {
  const runs: WorkflowExecutionInfo[] = [];
  for await (const execution of client.workflow.list({ query })) runs.push(execution);
  // One workflow's runs together, oldest first, so the output reads like the deployment's story.
  return runs.sort(
    (a, b) =>
      a.workflowId.localeCompare(b.workflowId) || a.startTime.getTime() - b.startTime.getTime(),
  );
}

/**
 * Histories are fetched one at a time as the replay asks for them: a week of runs need not fit in
 * memory. A closed run that retention deleted since it was listed has nothing left to replay.
 */
async function* historiesOf(
  client: Client,
  runs: readonly WorkflowExecutionInfo[],
  fetched: { run: WorkflowExecutionInfo; events: number }[],
): AsyncGenerator<HistoryAndWorkflowId> {
  for (const run of runs) {
    let history;
    try {
      history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError && run.status.name !== 'RUNNING') continue;
      throw error;
    }
    fetched.push({ run, events: history.events?.length ?? 0 });
    yield { workflowId: run.workflowId, history };
  }
}

/**
 * A nondeterminism's message wraps Core's in a debug dump of the failure; the mismatch itself
 * ("Activity machine does not handle this event: HistoryEvent(id: 6, …)") is what helps.
 */
function failureOf(error: Error): NonNullable<ReplayedRun['failure']> {
  const message = error.message.replace(/\s+/g, ' ').trim();
  if (error instanceof DeterminismViolationError) {
    const mismatch = /Nondeterminism error: ([^"]+)/.exec(message)?.[1];
    return { kind: 'nondeterminism', message: mismatch ?? message };
  }
  return { kind: 'replay', message };
}

const silent = new DefaultLogger('ERROR', () => undefined);

async function replayRuns(
  client: Client,
  runs: readonly WorkflowExecutionInfo[],
  workflowsPath: string,
  dataConverter: DataConverter,
): Promise<ReplayedRun[]> {
  // The replay worker and Temporal Core log every failing run as they go (Core straight to the
  // terminal unless forwarded); the results carry the same, one line each.
  Runtime.install({
    logger: silent,
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: silent });
  const replayed: ReplayedRun[] = [];
  const fetched: { run: WorkflowExecutionInfo; events: number }[] = [];
  for await (const result of Worker.runReplayHistories(
    // The deployment's payload conversion: encrypted histories replay like the worker reads them.
    { workflowBundle, dataConverter, replayName: 'lazarus-replay' },
    historiesOf(client, runs, fetched),
  )) {
    // One history at a time, in order: the n-th result is of the n-th history fetched. The listed
    // run ID is the one to report: the replayer's is the history's original run (a reset's base).
    const { run, events } = fetched[replayed.length] ?? { run: undefined, events: 0 };
    replayed.push({
      workflowId: result.workflowId,
      runId: run?.runId ?? result.runId,
      workflowType: run?.type ?? '?',
      status: run?.status.name ?? '?',
      events,
      ...(result.error === undefined ? {} : { failure: failureOf(result.error) }),
    });
  }
  return replayed;
}

function lineOf(run: ReplayedRun): string {
  const what = `${run.workflowId} run ${run.runId} (${run.workflowType}, ${run.status}, ${run.events} events)`;
  return run.failure === undefined
    ? `ok      ${what}`
    : `FAILS   ${what}: ${run.failure.kind}: ${run.failure.message}`;
}

export const replayCommand: Command = temporalCommand({
  name: 'replay',
  arguments: [],
  options: ['closed-since', 'workflows'],
  description:
    "Before an upgrade, from the build you are about to deploy: replays the history of every open workflow of this deployment's task queue (incidents, evacuations, the storm guard) and of those closed recently on this build's workflow code, as its workers would when they take them over. One line per run; exits 1 if any would fail (do not deploy: guard the change with patched(), docs/design.md#workflow-versioning), 0 if all replay.",
  checkOptions(options) {
    if (parseAge(options['closed-since'] ?? DEFAULT_CLOSED_SINCE) === undefined)
      return `--closed-since ${options['closed-since'] ?? ''} is not an age; give minutes, hours or days such as 30m, 12h, 7d, or 0 for open runs only`;
    if (options.workflows !== undefined && !existsSync(resolve(options.workflows)))
      return `--workflows ${options.workflows} does not exist; name the workflows/index.ts of the build to check`;
    return undefined;
  },
  async run(context) {
    const { client, options, taskQueue } = context;
    const ageMs = parseAge(options['closed-since'] ?? DEFAULT_CLOSED_SINCE) ?? 0;
    const closedSince = ageMs === 0 ? undefined : new Date(Date.now() - ageMs);
    const workflowsPath =
      options.workflows === undefined ? WORKFLOWS_PATH : resolve(options.workflows);
    const code =
      options.workflows === undefined
        ? `this build (${buildId(process.env)})`
        : relative(process.cwd(), workflowsPath);
    const runs = await listRuns(client, replayQuery(taskQueue, closedSince));
    const replayed =
      runs.length === 0 ? [] : await replayRuns(client, runs, workflowsPath, context.dataConverter);
    const failed = replayed.filter((run) => run.failure !== undefined).length;
    const window =
      closedSince === undefined ? 'open' : `open or closed since ${closedSince.toISOString()}`;
    const verdict =
      failed === 0
        ? `${replayed.length} run(s) of task queue ${taskQueue} (${window}) replay on ${code}`
        : `${failed} of ${replayed.length} run(s) of task queue ${taskQueue} (${window}) would fail on ${code}: do not deploy it; guard the change with patched() (docs/design.md#workflow-versioning)`;
    context.print([...replayed.map(lineOf), verdict].join('\n'), {
      taskQueue,
      workflows: code,
      closedSince: closedSince?.toISOString() ?? null,
      runs: replayed,
      failed,
    });
    return failed === 0 ? 0 : 1;
  },
});
