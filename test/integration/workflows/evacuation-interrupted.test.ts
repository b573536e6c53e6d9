// An operator terminates or cancels one evacuation while its incident evacuates (I9, I3): the
// incident records that instance's outcome, goes on with the others and waits for re-admission,
// instead of failing with the host fenced and the rest of its instances never evacuated.
import { describe, expect, it } from 'vitest';
import { evacuationWorkflowId } from '../../../contracts/evacuation-messages.ts';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { entriesOf, until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import type { IncidentTemporal } from './incident-worker.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';

const [TERMINATED_HOST = '', CANCELLED_HOST = ''] = failedHostsOf('evacuation-interrupted');

const cloud = useIncidentCloud({ hosts: 31, instancesPerHost: 4 });
const temporal = useIncidentTemporal(cloud);

/** The first instance whose evacuation has started, while Nova holds its evacuate request. */
async function firstEvacuating(t: IncidentTemporal, host: string, taskQueue: string) {
  const { sim } = cloud();
  // Nova takes 5 s (real) to answer the first evacuate, so its evacuation is in flight for a while.
  sim.addFault({
    service: 'nova',
    endpoint: 'POST /servers/{id}/action',
    action: 'evacuate',
    fault: { kind: 'latency', ms: 5_000_000 },
    times: 1,
  });
  sim.failHost(host, 'power-loss');
  const handle = await t.report(
    taskQueue,
    { host, reporter: 'alertmanager' },
    { policy: EVERY_INSTANCE_POLICY, evacuationConcurrency: 1 },
  );
  const state = await until(async () => {
    const current = await handle.query(stateQuery);
    return current.instances.some((row) => row.progress.outcome === 'evacuating')
      ? current
      : undefined;
  }, 'a first evacuation under way');
  const row = state.instances.find((candidate) => candidate.progress.outcome === 'evacuating');
  if (row === undefined) throw new Error('no evacuation under way');
  const child = t.client.workflow.getHandle(evacuationWorkflowId(state.incidentId, row.instanceId));
  // The row reads "evacuating" just before its child workflow is started.
  await until(
    () =>
      child.describe().then(
        () => true,
        () => undefined,
      ),
    'the evacuation workflow',
  );
  return { handle, row, child };
}

const otherRows = (state: IncidentState, instanceId: string) =>
  state.instances.filter((row) => row.instanceId !== instanceId);

describe('an operator interrupting one evacuation', () => {
  it("records a terminated evacuation as that instance's failure, with who and why, and evacuates the others", async () => {
    const result = await temporal().withWorker(async (taskQueue) => {
      const { handle, row, child } = await firstEvacuating(temporal(), TERMINATED_HOST, taskQueue);
      await child.terminate('stuck in the Web UI, terminated by carol');
      const ended = await evacuationsEnded(handle);
      return { ended, row };
    });

    expect(result.ended.phase).toBe('AwaitingReadmission');
    const terminated = result.ended.instances.find(
      (candidate) => candidate.instanceId === result.row.instanceId,
    );
    expect(terminated?.progress).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(
        /terminated.*stuck in the Web UI, terminated by carol/,
      ) as unknown,
    });
    expect(
      otherRows(result.ended, result.row.instanceId).map((other) => other.progress.outcome),
    ).toEqual(['landed', 'landed', 'landed']);
    expect(cloud().sim.invariants().violations).toEqual([]);
  });

  it('records a cancelled evacuation as cancelled and evacuates the others; an evacuate Nova accepted is still verified', async () => {
    const result = await temporal().withWorker(async (taskQueue) => {
      const { handle, row, child } = await firstEvacuating(temporal(), CANCELLED_HOST, taskQueue);
      await child.cancel();
      const ended = await evacuationsEnded(handle);
      return { ended, row };
    });

    expect(result.ended.phase).toBe('AwaitingReadmission');
    const cancelled = result.ended.instances.find(
      (candidate) => candidate.instanceId === result.row.instanceId,
    );
    const wasAccepted = entriesOf(cloud().sim, 'evacuate').some(
      (entry) => entry.instance === result.row.instanceId,
    );
    // Nova held the request when the cancellation came: either it accepted it (then the landing is
    // verified and reported) or not (then nothing more is sent).
    expect(cancelled?.progress.outcome).toBe(wasAccepted ? 'landed' : 'cancelled');
    expect(
      otherRows(result.ended, result.row.instanceId).map((other) => other.progress.outcome),
    ).toEqual(['landed', 'landed', 'landed']);
    expect(cloud().sim.invariants().violations).toEqual([]);
  });
});
