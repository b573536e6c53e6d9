// Nova answering what does not heal by itself (a 403 from a policy mistake) at admission or at a
// step after fencing: the incident waits visibly, with the answer and the command that moves it on, instead of
// failing with the host fenced; once the cause is fixed, `lazarus retry` (the retryNow Update) goes
// on where it stopped (docs/design.md#i9-liveness).
import { beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { readmitUpdate, stateQuery } from '../../../contracts/incident-messages.ts';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import type { FaultRule } from '../../../simulator/http/faults.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { entriesOf, until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';

const [FORCE_DOWN_HOST = '', EVACUATE_HOST = ''] = failedHostsOf('nova-outage');
const [ADMISSION_HOST = ''] = failedHostsOf('nova-outage-admission');
const [ROTATION_HOST = ''] = failedHostsOf('nova-outage-rotation');
const [READMIT_HOST = ''] = failedHostsOf('nova-outage-readmit');
const [UNFORCE_HOST = ''] = failedHostsOf('nova-outage-unforce');

const cloud = useIncidentCloud({ hosts: 49, instancesPerHost: 3 });
const temporal = useIncidentTemporal(cloud);

const POLICY_MISTAKE = {
  kind: 'status',
  status: 403,
  message: "Policy doesn't allow os_compute_api:os-services:update to be performed.",
} as const;

/** Waits until the incident's state passes `isWaiting`, and returns it. */
function waitingState(
  handle: WorkflowHandle,
  isWaiting: (state: IncidentState) => boolean,
  what: string,
) {
  return until(
    async () => {
      const state = await handle.query(stateQuery);
      return isWaiting(state) ? state : undefined;
    },
    what,
    30_000,
  );
}

const incidentWaits = (state: IncidentState): boolean => state.waiting !== undefined;

/**
 * Reports `host`, waits until the incident waits for Nova (as `waitsFor` says), lets `check` look
 * at that state, fixes the cause (`fix`: the faults cleared by default) and asks to retry; the
 * state once the evacuations ended, each checked landed.
 */
async function recoveredAfterRetry(
  host: string,
  waitsFor: { what: string; isWaiting: (state: IncidentState) => boolean },
  check: (waiting: IncidentState, handle: WorkflowHandle) => Promise<void> | void,
  options: { evacuationConcurrency?: number; fix?: () => Promise<void>; history?: string } = {},
): Promise<IncidentState> {
  const { sim } = cloud();
  const ended = await temporal().withWorker(async (taskQueue) => {
    const handle = await temporal().report(
      taskQueue,
      { host, reporter: 'alertmanager' },
      {
        policy: EVERY_INSTANCE_POLICY,
        ...(options.evacuationConcurrency === undefined
          ? {}
          : { evacuationConcurrency: options.evacuationConcurrency }),
      },
    );
    await check(await waitingState(handle, waitsFor.isWaiting, waitsFor.what), handle);
    if (options.fix === undefined) sim.clearFaults();
    else await options.fix();
    await handle.executeUpdate('retryNow');
    const atTheEnd = await evacuationsEnded(handle);
    if (options.history !== undefined) await recordHistoryIfAsked(handle, options.history);
    return atTheEnd;
  });
  expect(ended.phase).toBe('AwaitingReadmission');
  expect(ended.waiting).toBeUndefined();
  expect(ended.instances.map((row) => row.progress.outcome)).toEqual([
    'landed',
    'landed',
    'landed',
  ]);
  expect(sim.invariants().violations).toEqual([]);
  return ended;
}

/**
 * Recovers `host`, powers it on and has Nova answer with `fault`; then an operator's readmit must
 * be answered at once, `Readmitting`, with the wait `check` looks at. Asked to retry while Nova
 * still answers so (the wait is there to cut short whatever the timing), then with Nova back, the
 * incident must close Readmitted; its final state.
 */
async function readmittedAfterRetry(
  host: string,
  fault: FaultRule,
  check: (waiting: IncidentState['waiting']) => void,
  history?: string,
): Promise<IncidentState> {
  const { sim } = cloud();
  sim.failHost(host, 'power-loss');
  return temporal().withWorker(async (taskQueue) => {
    const handle = await temporal().report(
      taskQueue,
      { host, reporter: 'alertmanager' },
      { policy: EVERY_INSTANCE_POLICY },
    );
    await evacuationsEnded(handle);
    sim.setPower(host, 'On');
    sim.addFault(fault);
    const answer = await Promise.race([
      handle.executeUpdate(readmitUpdate, { args: [{ operator: 'bob', reason: 'repaired' }] }),
      new Promise((resolve) => setTimeout(resolve, 30_000, 'no answer within 30 s')),
    ]);
    expect(answer).toBe('Readmitting');
    check((await handle.query(stateQuery)).waiting);
    expect(await handle.executeUpdate('retryNow')).toBe(1);
    sim.clearFaults();
    const closed = await handle.result();
    if (history !== undefined) await recordHistoryIfAsked(handle, history);
    expect(closed.phase).toBe('Readmitted');
    return closed;
  });
}

describe('Nova refusing a step until an operator fixes the cause', () => {
  beforeEach(() => {
    cloud().sim.clearFaults();
  });

  it('waits in Admitting with the answer while the storm guard cannot count the fleet, then fences and evacuates when asked to retry', async () => {
    cloud().sim.addFault({ service: 'nova', endpoint: 'GET /os-services', fault: POLICY_MISTAKE });
    cloud().sim.failHost(ADMISSION_HOST, 'power-loss');
    await recoveredAfterRetry(
      ADMISSION_HOST,
      { what: 'the incident to wait for Nova before admission', isWaiting: incidentWaits },
      (waiting) => {
        expect(waiting.phase).toBe('Admitting');
        expect(waiting.waiting).toMatchObject({
          kind: 'needsOperator',
          step: expect.stringContaining('storm guard') as unknown,
          lastError: expect.stringContaining('403') as unknown,
        });
      },
      { history: 'admission-waited-for-nova' },
    );
  });

  it('waits in ForcingDown with the answer and the command, then goes on when asked to retry', async () => {
    cloud().sim.addFault({
      service: 'nova',
      endpoint: 'PUT /os-services/{id}',
      fault: POLICY_MISTAKE,
    });
    cloud().sim.failHost(FORCE_DOWN_HOST, 'power-loss');
    await recoveredAfterRetry(
      FORCE_DOWN_HOST,
      { what: 'the incident to wait for Nova', isWaiting: incidentWaits },
      async (waiting, handle) => {
        expect(waiting.phase).toBe('ForcingDown');
        expect(waiting.waiting).toMatchObject({
          kind: 'needsOperator',
          lastError: expect.stringContaining('403') as unknown,
        });
        expect((await handle.describe()).raw.workflowExecutionInfo?.status).toBe(1); // RUNNING
      },
    );
  });

  it('marks no instance failed while Nova refuses its evacuate, shows the wait in its row, and evacuates it after the retry', async () => {
    const { sim } = cloud();
    sim.failHost(EVACUATE_HOST, 'power-loss');
    sim.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: POLICY_MISTAKE,
    });
    await recoveredAfterRetry(
      EVACUATE_HOST,
      {
        what: 'an evacuation to wait for Nova',
        isWaiting: (state) =>
          state.instances.some(
            (row) => row.progress.outcome === 'evacuating' && row.progress.waiting !== undefined,
          ),
      },
      (waiting) => {
        expect(waiting.instances.filter((row) => row.progress.outcome === 'failed')).toEqual([]);
        expect(
          entriesOf(sim, 'evacuate').filter((entry) => entry.sourceHost === EVACUATE_HOST),
        ).toEqual([]);
      },
      { evacuationConcurrency: 3 },
    );
  });

  it('answers a readmit at once while Nova is away, shows the wait, and re-admits when Nova answers', async () => {
    const { sim } = cloud();
    const closed = await readmittedAfterRetry(
      READMIT_HOST,
      { service: 'nova', endpoint: 'GET /os-services', fault: { kind: 'status', status: 503 } },
      (waiting) => {
        expect(waiting).toMatchObject({
          kind: 'outage',
          step: expect.stringContaining('before re-admitting') as unknown,
          lastError: expect.stringContaining('503') as unknown,
        });
      },
      'readmission-waited-for-nova',
    );
    expect(closed).toMatchObject({ readmission: { requestedBy: 'bob: repaired' } });
    expect(closed.waiting).toBeUndefined();
    expect(
      sim.state().hosts.find((candidate) => candidate.name === READMIT_HOST)?.service,
    ).toMatchObject({ forcedDown: false, status: 'enabled' });
  });

  it('answers a readmit at once while Nova refuses to clear forced_down, shows why, and re-admits once it no longer does', async () => {
    const host = UNFORCE_HOST;
    await readmittedAfterRetry(
      host,
      // As Nova answers while an evacuation from the host is still `done`, not `completed`.
      {
        service: 'nova',
        endpoint: 'PUT /os-services/{id}',
        fault: {
          kind: 'status',
          status: 400,
          message: `Unable to force up host ${host} as \`done\` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to \`completed\` before retrying this request.`,
        },
      },
      (waiting) => {
        expect(waiting).toMatchObject({
          kind: 'notYet',
          step: `clear forced_down on ${host}`,
          lastError: expect.stringContaining('evacuation migration records remain') as unknown,
        });
      },
    );
  });

  // Last: the cloud keeps the rotated password for the rest of this file.
  it('waits on 401 after a password rotation and goes on with the new password from clouds.yaml, without a worker restart', async () => {
    const { sim } = cloud();
    sim.failHost(ROTATION_HOST, 'power-loss');
    sim.rotatePassword();
    await recoveredAfterRetry(
      ROTATION_HOST,
      { what: 'the incident to wait for valid credentials', isWaiting: incidentWaits },
      (waiting) => {
        expect(waiting.waiting).toMatchObject({
          kind: 'needsOperator',
          lastError: expect.stringContaining('401') as unknown,
        });
      },
      { fix: () => sim.writeCloudsYaml() },
    );
  });
});
