// Incidents closed from outside (terminated, cancelled) no longer count as running or held in the
// storm guard: the host's next incident is judged against the limits again, and a cancelled held
// incident holds no other (docs/design.md#i6-storm-guard, docs/design.md#i9-liveness).
import { describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import { guardStateQuery, stormGuardWorkflowId } from '../../../contracts/storm-guard-messages.ts';
import type { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase } from './incident-observations.ts';
import { useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

// One incident per 10 minutes: the second within the window is held.
const cloud = useIncidentCloud({
  hosts: 41,
  instancesPerHost: 1,
  stormGuardLimits: { maxIncidents: 1, maxFractionDown: 1, windowMs: 600_000 },
});
const temporal = useIncidentTemporal(cloud);

const limitReached: unknown = expect.stringMatching(
  /^1 incidents were admitted within the last 10 min/,
);

/** The storm guard's answer to the incident: held (why) or admitted (by whom). */
const answered = (handle: WorkflowHandle<typeof incidentWorkflow>) =>
  until(
    async () => (await handle.query(stateQuery)).admission,
    `${handle.workflowId} to be answered`,
  );

describe('the storm guard after incidents closed from outside', () => {
  it('judges a terminated incident’s host against the limits again, and forgets a cancelled held incident', async () => {
    const { sim } = cloud();
    const [host = ''] = failedHostsOf('storm-guard-closed');
    const [other = ''] = failedHostsOf('storm-guard-closed-other');
    sim.failHost(host, 'power-loss');
    sim.failHost(other, 'power-loss');

    await temporal().withWorker(async (taskQueue) => {
      const report = (failed: string) =>
        temporal().report(
          taskQueue,
          { host: failed, reporter: 'alertmanager' },
          { policy: EVERY_INSTANCE_POLICY },
        );
      const guard = temporal().client.workflow.getHandle(stormGuardWorkflowId(taskQueue));

      const first = await report(host);
      await inPhase(first, 'AwaitingReadmission');
      await first.terminate('an operator ends the incident by hand');

      const second = await report(host);
      expect(await answered(second)).toEqual({ heldBecause: limitReached });
      await inPhase(second, 'AwaitingApproval');
      await second.cancel();
      await expect(second.result()).rejects.toThrow(/cancelled/i);

      // The other host's incident is held by the limit alone, not by the cancelled one.
      const third = await report(other);
      expect(await answered(third)).toEqual({ heldBecause: limitReached });
      const state = await guard.query(guardStateQuery);
      expect(state.held.map((held) => held.host)).toEqual([other]);
      expect(state.running).toEqual([]);
      await third.terminate('end of test');
    });
  });
});
