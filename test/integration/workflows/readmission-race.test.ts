// Automatic re-admission and an operator's readmit at the same moment (docs/design.md#re-admit):
// the incident sees the repaired host's nova-compute report again while an operator's readmit
// Update arrives. Both are answered, the incident closes Readmitted, and the host's next failure is a
// new incident rather than a report joining a run that never ends.
import { WorkflowUpdateStage } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { NO_CORROBORATION } from '../../../domain/corroboration.ts';
import { readmitUpdate, stateQuery } from '../../../contracts/incident-messages.ts';
import type { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('readmission-race');

const cloud = useIncidentCloud({ hosts: 36, instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

/** Until the incident's look at its host's nova-compute has failed once and waits for its retry. */
async function retryingTheComputeCheck(
  handle: WorkflowHandle<typeof incidentWorkflow>,
): Promise<void> {
  await until(
    async () => {
      const { raw } = await handle.describe();
      const isRetrying = (raw.pendingActivities ?? []).some(
        (activity) =>
          activity.activityType?.name === 'checkComputeServiceUp' && (activity.attempt ?? 0) >= 2,
      );
      return isRetrying ? true : undefined;
    },
    `${handle.workflowId} to retry its look at its host's nova-compute`,
    20_000,
  );
}

/** `promise`'s value, or an error saying what the incident was doing when it did not settle in time. */
async function within<T>(
  handle: WorkflowHandle<typeof incidentWorkflow>,
  promise: Promise<T>,
  ms: number,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => {
      resolve('expired');
    }, ms);
  });
  try {
    const first = await Promise.race([promise.then((value) => ({ value })), expired]);
    if (first !== 'expired') return first.value;
  } finally {
    clearTimeout(timer);
  }
  const state = await handle.query(stateQuery);
  throw new Error(
    `not settled within ${ms / 1000} s: ${handle.workflowId} is ${state.phase} (readmission ${JSON.stringify(state.readmission)}) and its run is still open`,
  );
}

describe('automatic re-admission meeting an operator readmit', () => {
  it('answers both, closes the incident Readmitted, and lets the next report start a new incident', async () => {
    const { sim } = cloud();
    const host = HOST;
    sim.failHost(host, 'power-loss');

    await temporal().withWorker(async (taskQueue) => {
      const incident = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager', reason: 'node_exporter down' },
        {
          policy: EVERY_INSTANCE_POLICY,
          readmission: 'automatic',
          readmissionRecheckIntervalMs: 200,
        },
      );
      expect(await evacuationsEnded(incident)).toMatchObject({
        phase: 'AwaitingReadmission',
        outcome: 'Recovered',
      });

      // Nova's service list fails for a while, so the incident's look at the host hangs in its
      // retries; meanwhile the host is repaired and the operator's readmit is accepted. Then Nova
      // answers again, and the look the incident began on its own finds the compute up.
      sim.addFault({
        service: 'nova',
        endpoint: 'GET /os-services',
        fault: { kind: 'status', status: 503 },
      });
      onTestFinished(() => {
        sim.clearFaults();
      });
      sim.setPower(host, 'On');
      await retryingTheComputeCheck(incident);
      expect((await incident.query(stateQuery)).phase).toBe('AwaitingReadmission');
      const readmit = await incident.startUpdate(readmitUpdate, {
        args: [{ operator: 'bob', reason: 'PSU replaced' }],
        waitForStage: WorkflowUpdateStage.ACCEPTED,
      });
      sim.clearFaults();
      const [answer, closed] = await within(
        incident,
        Promise.all([readmit.result(), incident.result()]),
        30_000,
      );
      await recordHistoryIfAsked(incident, 'readmit-during-automatic-look');
      // Both answered; the operator's readmit, accepted while the incident looked on its own, is
      // the one recorded.
      expect({
        answer,
        phase: closed.phase,
        outcome: closed.outcome,
        requestedBy: closed.readmission?.requestedBy,
        isReadmitted: closed.readmission?.readmittedAt !== undefined,
      }).toEqual({
        answer: 'Readmitted',
        phase: 'Readmitted',
        outcome: 'Recovered',
        requestedBy: 'bob: PSU replaced',
        isReadmitted: true,
      });
      expect(sim.state().hosts.find((candidate) => candidate.name === host)?.service).toMatchObject(
        { forcedDown: false, status: 'enabled', state: 'up' },
      );

      // The host's next report starts a new incident (a new run), which finds Nova reading it up.
      const next = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager', reason: 'node_exporter down again' },
        {
          policy: EVERY_INSTANCE_POLICY,
          corroboration: {
            ...NO_CORROBORATION,
            isNovaDownRequired: true,
            timeoutMs: 1_000,
            recheckIntervalMs: 200,
          },
        },
      );
      expect(next.signaledRunId).not.toBe(incident.signaledRunId);
      const nextState = await next.result();
      expect(nextState).toMatchObject({ phase: 'NotCorroborated', instances: [] });
      expect(nextState.incidentId).not.toBe(closed.incidentId);
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
