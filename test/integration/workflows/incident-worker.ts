// Test files run in parallel against one dev server; each fails only the hosts that
// test/support/failed-hosts.ts gives it (the receiver's tests report intake-* hosts of no cloud).
//
// A real Worker per test on the shared dev server, running the workflows bundled once per file and
// the incident activities against the file's simulated cloud; optionally records finished
// incidents' histories for the replay test.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle, WorkflowHandleWithSignaledRunId } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { REPO_ROOT } from '../../support/repository.ts';
import { createLazarusWorker, WORKFLOWS_PATH } from '../../../apps/worker/create-worker.ts';
import type { LazarusWorkerOptions } from '../../../apps/worker/create-worker.ts';
import type { IncidentPhase, IncidentState } from '../../../contracts/incident-messages.ts';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import { progressTable } from '../../../domain/incident-progress.ts';
import { reportHostFailure } from '../../../contracts/incident-start.ts';
import { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import type { IncidentCloud } from '../activities/incident/incident-cloud.ts';
import { pollUntil } from '../../../lib/poll-until.ts';

const { address, namespace } = inject('temporal');

export interface IncidentTemporal {
  client: Client;
  /** A health checker's report, as signal-with-start on incident/<host>. */
  report(
    taskQueue: string,
    ...report: Parameters<typeof reportHostFailure>
  ): Promise<WorkflowHandleWithSignaledRunId<typeof incidentWorkflow>>;
  /** Runs `scenario` while a fresh worker polls a task queue of its own. */
  withWorker<T>(
    scenario: (taskQueue: string) => Promise<T>,
    options?: Pick<LazarusWorkerOptions, 'evacuateCallsPerSecond' | 'dataConverter' | 'taskQueue'>,
  ): Promise<T>;
}

let queues = 0;

export function useIncidentTemporal(cloud: () => IncidentCloud): () => IncidentTemporal {
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let connection: Connection | undefined;
  let workerConnection: NativeConnection | undefined;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler });
    connection = await Connection.connect({ address });
    workerConnection = await NativeConnection.connect({ address });
  });
  afterAll(async () => {
    await workerConnection?.close();
    await connection?.close();
  });
  return () => {
    if (bundle === undefined || connection === undefined || workerConnection === undefined)
      throw new Error('Temporal is not connected yet');
    const workflowBundle = bundle;
    const nativeConnection = workerConnection;
    const client = new Client({ connection, namespace });
    return {
      client,
      report: (taskQueue, ...report) =>
        client.workflow.signalWithStart(incidentWorkflow, {
          taskQueue,
          ...reportHostFailure(...report),
        }),
      withWorker: async (scenario, options = {}) => {
        queues += 1;
        // A given queue: a later worker takes over the incidents an earlier one started.
        const taskQueue = options.taskQueue ?? `incident-workflows-${process.pid}-${queues}`;
        const worker = await createLazarusWorker({
          connection: nativeConnection,
          namespace,
          taskQueue,
          workflowBundle,
          dependencies: cloud().dependencies,
          ...options,
        });
        return worker.runUntil(scenario(taskQueue));
      },
    };
  };
}

/** Phases after the evacuations: waiting for re-admission, or closed (cancelled, aborted, re-admitted). */
const AFTER_EVACUATIONS = new Set<IncidentPhase>([
  'AwaitingReadmission',
  'Readmitted',
  'Reported',
  'Aborted',
]);

/** The incident's state once its evacuations ended; it then waits for re-admission unless it closed. */
export function evacuationsEnded(
  handle: WorkflowHandle<typeof incidentWorkflow>,
  timeoutMs = 50_000,
): Promise<IncidentState> {
  let last: IncidentState | undefined;
  return pollUntil(
    "the incident's evacuations to end",
    async () => {
      last = await handle.query(stateQuery);
      return AFTER_EVACUATIONS.has(last.phase) ? last : undefined;
    },
    {
      timeoutMs,
      intervalMs: 50,
      onTimeout: () =>
        `the evacuations of ${handle.workflowId} did not end; it is ${last?.phase ?? 'unknown'}:\n${last === undefined ? '' : progressTable(last)}`,
    },
  );
}

const ignore = (): void => undefined;
export const quietBundler = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  log: ignore,
};

const HISTORIES_DIRECTORY = new URL('./histories/', import.meta.url);
const REPO_ROOT_PREFIX = `${REPO_ROOT}/`;

const { History } = proto.api.history.v1;

/**
 * Histories are stored as protobufjs's JSON object form (longs, enums and bytes as strings), not
 * as `temporal workflow show --output json` prints them: reading that form goes through
 * historyFromJSON, which throws "type must be a Type" here because @temporalio/common and
 * @temporalio/proto each carry their own copy of protobufjs.
 */
const JSON_FORM = { longs: String, enums: String, bytes: String } as const;

/**
 * With LAZARUS_RECORD_HISTORIES=1, writes the finished workflow's history for the replay test
 * (docs/design.md#recording-a-history).
 */
export async function recordHistoryIfAsked(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.LAZARUS_RECORD_HISTORIES !== '1') return;
  const history = History.toObject(History.fromObject(await handle.fetchHistory()), JSON_FORM);
  // A history does not name its workflow, and the incident derives its evacuation IDs from it.
  const recorded: RecordedHistory = { workflowId: handle.workflowId, history };
  // Stack traces in failures name this machine's checkout; the committed file names paths in the repo.
  const text = JSON.stringify(recorded, null, 1).replaceAll(REPO_ROOT_PREFIX, '');
  await writeFile(new URL(`${name}.json`, HISTORIES_DIRECTORY), `${text}\n`);
}

interface RecordedHistory {
  workflowId: string;
  history: Record<string, unknown>;
}

/** Every committed history, with the ID of the workflow it was recorded from. */
export async function committedHistories(): Promise<
  { workflowId: string; history: ReturnType<typeof History.fromObject> }[]
> {
  const files = (await readdir(HISTORIES_DIRECTORY)).filter((file) => file.endsWith('.json'));
  return Promise.all(
    files.map(async (file) => {
      const recorded = JSON.parse(
        await readFile(new URL(file, HISTORIES_DIRECTORY), 'utf8'),
      ) as RecordedHistory;
      return { workflowId: recorded.workflowId, history: History.fromObject(recorded.history) };
    }),
  );
}
