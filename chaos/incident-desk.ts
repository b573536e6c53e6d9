// The run's side of Temporal: health checkers' reports, an operator's cancel, reset and retry of
// fencing, and at the end what each incident says of itself. The server may be down at any of
// these moments (the harness kills it), so each call is retried until it gets through.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../apps/worker/create-worker.ts';
import type { EvacuationPolicy } from '../domain/evacuation-policy.ts';
import { DEFAULT_EVACUATION_POLICY } from '../domain/evacuation-policy.ts';
import type {
  IncidentInput,
  IncidentPhase,
  IncidentState,
} from '../contracts/incident-messages.ts';
import {
  abortUpdate,
  incidentWorkflowId,
  readmitUpdate,
  retryFencingUpdate,
  retryNowUpdate,
  stateQuery,
} from '../contracts/incident-messages.ts';
import { isSuppressed, sendHostReport } from '../client/send-host-report.ts';
import { pollUntil } from '../lib/poll-until.ts';
import type { Timeline } from './timeline.ts';
import type { IncidentObservation } from './verdict.ts';
import { WAITING_PHASES } from './verdict.ts';

/** Every instance Nova can evacuate, image-backed ones included (shared storage): the most evacuations per run. */
export const CHAOS_POLICY: EvacuationPolicy = {
  ...DEFAULT_EVACUATION_POLICY,
  protect: 'all',
  imageBackedOnLocalDisk: 'evacuate',
};

/** Longer than a dev server takes to come back after a SIGKILL. */
const PERSISTENCE_MS = 90_000;
/** Longer than an activity lost with a killed worker takes to time out and retry: an Update with no answer by then is stuck (docs/design.md#i9-liveness). */
const UPDATE_ANSWER_MS = 5 * 60_000;
/** The phases in which an operator may abort an incident (workflows/fencing-with-operator.ts). */
const ABORTABLE: ReadonlySet<string> = new Set([
  'Corroborating',
  'AwaitingApproval',
  'FencingUnproven',
]);

/** How a report was answered (docs/design.md#i10-every-report-answered). */
export type ReportAnswer =
  { answer: 'started' | 'joined'; runId: string } | { answer: 'suppressed'; because: string };

export class IncidentDesk {
  /** Every run of every incident workflow this run saw, by workflow ID. */
  readonly #runs = new Map<string, Set<string>>();
  readonly #fencingRetried = new Set<string>();
  readonly #computeRestarted = new Set<string>();
  /** Operators' Updates that got no answer in time: stuck, which the verdict counts against I9. */
  readonly unansweredUpdates: string[] = [];

  constructor(
    private readonly client: Client,
    private readonly options: {
      address: string;
      cliPath: string;
      timeline: Timeline;
      readmission: NonNullable<IncidentInput['readmission']>;
      /** What an operator does when re-admission waits for Nova's own work: restart nova-compute on the host. */
      restartCompute: (host: string) => void;
    },
  ) {}

  /**
   * A health checker's report through the client every integration uses: starts the host's
   * incident, joins the running one, or is suppressed after an operator's abort.
   */
  async report(host: string, reason: string): Promise<ReportAnswer> {
    const receipt = await this.#persistently(`report ${host}`, () =>
      sendHostReport(
        this.client,
        { host, reporter: 'chaos-health-check', reason },
        {
          taskQueue: DEFAULT_TASK_QUEUE,
          settings: {
            policy: CHAOS_POLICY,
            readmission: this.options.readmission,
            // Looks often, so the automatic re-admission meets the operator's readmit.
            readmissionRecheckIntervalMs: 1_000,
          },
        },
      ),
    );
    if (isSuppressed(receipt)) {
      this.options.timeline.note(`report of ${host} (${reason}) ${receipt.suppressed}`);
      return { answer: 'suppressed', because: receipt.suppressed };
    }
    const runs = this.#runsOf(receipt.workflowId);
    const answer = runs.has(receipt.runId) ? 'joined' : 'started';
    this.options.timeline.note(`report of ${host} (${reason}) ${answer} run ${receipt.runId}`);
    runs.add(receipt.runId);
    return { answer, runId: receipt.runId };
  }

  /**
   * The operator's `abort`, once the incident waits where it may be aborted (up to 90 s); the
   * aborted run, or undefined when it never waited there or the abort was refused.
   */
  async abort(host: string): Promise<string | undefined> {
    const handle = this.client.workflow.getHandle(incidentWorkflowId(host));
    const phase = await pollUntil(
      `incident/${host} to wait where it may be aborted`,
      async () => {
        const current = await this.phaseOf(host);
        return current === undefined || ABORTABLE.has(current) ? (current ?? 'closed') : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    ).catch(() => 'still busy after 90 s');
    if (!ABORTABLE.has(phase)) {
      this.options.timeline.note(`no abort of ${host}: its incident is ${phase}`);
      return undefined;
    }
    const { runId } = await this.#persistently(`describe ${handle.workflowId}`, () =>
      handle.describe(),
    );
    const answer = await this.#answerOf(`abort ${host}`, () =>
      handle.executeUpdate(abortUpdate, {
        args: [{ operator: 'chaos-operator', reason: 'not this host: maintenance under way' }],
      }),
    );
    this.options.timeline.note(`operator aborted incident/${host} (run ${runId}): ${answer}`);
    return answer === 'Aborted' ? runId : undefined;
  }

  /** `lazarus retry HOST`: a refusal (nothing waits) is noted, as is an incident already closed. */
  async retryNow(host: string): Promise<void> {
    if ((await this.phaseOf(host)) === undefined) {
      this.options.timeline.note(`no retry of incident/${host}: it is closed`);
      return;
    }
    const answer = await this.#answerOf(`retry ${host}`, () =>
      this.client.workflow.getHandle(incidentWorkflowId(host)).executeUpdate(retryNowUpdate),
    );
    this.options.timeline.note(`operator asked incident/${host} to retry now: ${answer}`);
  }

  async cancel(host: string): Promise<void> {
    await this.#persistently(`cancel ${host}`, () =>
      this.client.workflow.getHandle(incidentWorkflowId(host)).cancel(),
    );
    this.options.timeline.note(`operator cancelled incident/${host}`);
  }

  /** `temporal workflow reset` to the first workflow task, as an operator re-runs an incident. */
  async reset(host: string): Promise<void> {
    const workflowId = incidentWorkflowId(host);
    await this.#persistently(`reset ${workflowId}`, () =>
      promisify(execFile)(
        this.options.cliPath,
        [
          'workflow',
          'reset',
          '--address',
          this.options.address,
          '--namespace',
          'default',
          '--workflow-id',
          workflowId,
          '--type',
          'FirstWorkflowTask',
          '--reason',
          'chaos: an operator re-runs the incident',
        ],
        { timeout: 30_000 },
      ),
    );
    const { runId } = await this.#persistently(`describe ${workflowId}`, () =>
      this.client.workflow.getHandle(workflowId).describe(),
    );
    this.#runsOf(workflowId).add(runId);
    this.options.timeline.note(
      `operator reset ${workflowId} to its first workflow task: run ${runId}`,
    );
  }

  /** The phase of the host's incident now; undefined if it has none or it is closed. */
  async phaseOf(host: string): Promise<string | undefined> {
    const handle = this.client.workflow.getHandle(incidentWorkflowId(host));
    const { status } = await this.#persistently(`describe ${handle.workflowId}`, () =>
      handle.describe(),
    );
    if (status.name !== 'RUNNING') return undefined;
    return (await this.#persistently(`query ${handle.workflowId}`, () => handle.query(stateQuery)))
      .phase;
  }

  /** The operator's `readmit`; a refusal (the incident was not waiting for it) is noted, not retried. */
  async readmit(host: string): Promise<string> {
    const handle = this.client.workflow.getHandle(incidentWorkflowId(host));
    const answer = await this.#answerOf(`readmit ${host}`, () =>
      handle.executeUpdate(readmitUpdate, {
        args: [{ operator: 'chaos-operator', reason: 'host repaired' }],
      }),
    );
    this.options.timeline.note(`operator re-admitted ${host}: ${answer}`);
    return answer;
  }

  /**
   * An operator's Update: its answer, `refused: …`, or `unanswered …` when none came in time. The
   * call is cancelled then, so nothing of it outlives the run's connection.
   */
  async #answerOf(what: string, update: () => Promise<IncidentPhase | number>): Promise<string> {
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort();
    }, UPDATE_ANSWER_MS);
    try {
      return await this.#persistently(what, () =>
        this.client
          .withAbortSignal(deadline.signal, update)
          .then(String)
          .catch((error: unknown) => {
            if (error instanceof WorkflowUpdateFailedError)
              return `refused: ${error.cause?.message ?? error.message}`;
            if (!deadline.signal.aborted) throw error;
            this.unansweredUpdates.push(what);
            return `unanswered after ${UPDATE_ANSWER_MS / 1000} s`;
          }),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Undefined once every incident is closed or waiting for an operator and no evacuation runs;
   * otherwise what is still moving. An incident whose fencing is unproven gets one retryFencing
   * (the operator's move once the BMC is healthy again).
   */
  async whatIsStillMoving(): Promise<string | undefined> {
    for (const workflowId of this.#runs.keys()) {
      const handle = this.client.workflow.getHandle(workflowId);
      const { status, runId } = await handle.describe();
      this.#runsOf(workflowId).add(runId);
      if (status.name !== 'RUNNING') continue;
      const { phase, waiting, host } = await handle.query(stateQuery);
      // The wait's own advice: Nova keeps a host forced down while an evacuation it started before
      // the host's nova-compute came back is `done`, until nova-compute starts again.
      if (waiting?.kind === 'notYet' && !this.#computeRestarted.has(runId)) {
        this.#computeRestarted.add(runId);
        try {
          this.options.restartCompute(host);
          this.options.timeline.note(
            `operator restarted nova-compute on ${host}, as ${workflowId} advised`,
          );
        } catch (error) {
          this.options.timeline.note(
            `operator could not restart nova-compute on ${host}: ${String(error)}`,
          );
        }
        await this.retryNow(host);
        return `${workflowId} waiting for Nova's own work, nova-compute restarted`;
      }
      if (phase === 'FencingUnproven' && !this.#fencingRetried.has(runId)) {
        this.#fencingRetried.add(runId);
        const after = await handle.executeUpdate(retryFencingUpdate);
        this.options.timeline.note(`operator asked ${workflowId} to retry fencing: ${after}`);
        return `${workflowId} retrying fencing`;
      }
      if (!WAITING_PHASES.has(phase)) return `${workflowId} in ${phase}`;
    }
    const { count } = await this.client.workflow.count(
      'WorkflowType = "evacuationWorkflow" AND ExecutionStatus = "Running"',
    );
    return count > 0 ? `${count} evacuation workflows running` : undefined;
  }

  /**
   * An operator terminates or cancels one evacuation in flight, waiting up to 45 s for one to run
   * (fencing may still be unproven when the action is due); false when none did.
   */
  async interruptOneEvacuation(how: 'terminate' | 'cancel'): Promise<boolean> {
    const running = await pollUntil(
      'an evacuation to run',
      async () => (await this.#evacuations('Running'))[0],
      { timeoutMs: 45_000, intervalMs: 500 },
    ).catch(() => undefined);
    if (running === undefined) {
      this.options.timeline.note(`no evacuation ran within 45 s to ${how}`);
      return false;
    }
    const handle = this.client.workflow.getHandle(running);
    await this.#persistently(`${how} ${running}`, () =>
      how === 'terminate'
        ? handle.terminate('chaos: an operator terminates one evacuation')
        : handle.cancel(),
    );
    this.options.timeline.note(
      `operator ${how === 'terminate' ? 'terminated' : 'cancelled'} ${running}`,
    );
    return true;
  }

  /** `temporal workflow terminate` on the host's incident; false when it is not running. */
  async terminate(host: string): Promise<boolean> {
    const handle = this.client.workflow.getHandle(incidentWorkflowId(host));
    const { status } = await this.#persistently(`describe ${handle.workflowId}`, () =>
      handle.describe(),
    );
    if (status.name !== 'RUNNING') {
      this.options.timeline.note(`${handle.workflowId} is ${status.name}: nothing to terminate`);
      return false;
    }
    await this.#persistently(`terminate ${handle.workflowId}`, () =>
      handle.terminate('chaos: an operator terminates the incident'),
    );
    this.options.timeline.note(`operator terminated ${handle.workflowId}`);
    return true;
  }

  /** Evacuation workflows that ended Failed or TimedOut: none may (docs/design.md#i9-liveness). */
  async failedEvacuations(): Promise<string[]> {
    return [...(await this.#evacuations('Failed')), ...(await this.#evacuations('TimedOut'))];
  }

  async #evacuations(status: 'Running' | 'Failed' | 'TimedOut'): Promise<string[]> {
    return this.#persistently(`list ${status} evacuations`, async () => {
      const ids: string[] = [];
      const query = `WorkflowType = "evacuationWorkflow" AND ExecutionStatus = "${status}"`;
      for await (const execution of this.client.workflow.list({ query }))
        ids.push(execution.workflowId);
      return ids;
    });
  }

  /** Every run seen, with its status and, unless a reset replaced it, its state. */
  async observe(): Promise<IncidentObservation[]> {
    const observations: IncidentObservation[] = [];
    for (const [workflowId, runIds] of this.#runs) {
      for (const runId of runIds) {
        const handle = this.client.workflow.getHandle(workflowId, runId);
        const status = (await this.#persistently(`describe ${workflowId}`, () => handle.describe()))
          .status.name;
        const state = await this.#stateOf(handle, status);
        observations.push({ workflowId, runId, status, ...(state === undefined ? {} : { state }) });
      }
    }
    return observations;
  }

  /**
   * A completed run's state is its result, read from history without a worker; a running or
   * cancelled one answers the state query, asked persistently (the server may be restarting).
   */
  async #stateOf(handle: WorkflowHandle, status: string): Promise<IncidentState | undefined> {
    if (status === 'TERMINATED') return undefined;
    if (status === 'COMPLETED')
      return (await handle.result().catch(() => undefined)) as IncidentState | undefined;
    return this.#persistently(`query ${handle.workflowId}`, () => handle.query(stateQuery)).catch(
      () => undefined,
    );
  }

  #runsOf(workflowId: string): Set<string> {
    const runs = this.#runs.get(workflowId) ?? new Set<string>();
    this.#runs.set(workflowId, runs);
    return runs;
  }

  async #persistently<T>(what: string, call: () => Promise<T>): Promise<T> {
    let lastError: unknown;
    // Boxed, so a call that answers undefined still ends the wait.
    const answered = await pollUntil(
      what,
      async () => {
        try {
          return { answer: await call() };
        } catch (error) {
          lastError = error;
          return undefined;
        }
      },
      {
        timeoutMs: PERSISTENCE_MS,
        intervalMs: 500,
        onTimeout: () =>
          `${what}: still failing after ${PERSISTENCE_MS / 1000} s: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
      },
    );
    return answered.answer;
  }
}
