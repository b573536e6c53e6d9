// The first line of I2 (docs/design.md#i2-exactly-once): an evacuation workflow ID that is taken
// already (by an earlier run of the incident, before a reset) is never started again; the incident
// reads that instance from Nova.
import { describe, expect, it } from 'vitest';
import { evacuationWorkflow } from '../../../workflows/evacuation-workflow.ts';
import { evacuationWorkflowId } from '../../../contracts/evacuation-messages.ts';
import { confirmFencedUpdate, stateQuery } from '../../../contracts/incident-messages.ts';
import { evacuatesOf, until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('taken-evacuation-id');

const cloud = useIncidentCloud({ hosts: 6, instancesPerHost: 4 });
const temporal = useIncidentTemporal(cloud);

describe('an evacuation whose workflow ID is taken', () => {
  it('is not started again, sends no evacuate, and is reported with what Nova shows', async () => {
    const { sim } = cloud();
    const host = HOST;
    const [taken] = sim.state().instances.filter((instance) => instance.host === host);
    if (taken === undefined) throw new Error(`${host} has no instances`);
    sim.failHost(host, 'compute-crash');
    sim.setBmcFaults(host, { ignorePowerOff: true });

    const result = await temporal().withWorker(async (taskQueue) => {
      const incident = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY },
      );
      const waiting = await until(async () => {
        const state = await incident.query(stateQuery);
        return state.phase === 'FencingUnproven' ? state : undefined;
      }, 'fencing to be unproven');
      // What an earlier run would have left: a finished evacuation workflow under the instance's ID,
      // here one that made no attempt, so any evacuate in the ledger would come from a second start.
      await temporal().client.workflow.execute(evacuationWorkflow, {
        taskQueue,
        workflowId: evacuationWorkflowId(waiting.incidentId, taken.uuid),
        args: [
          {
            incidentId: waiting.incidentId,
            incidentStartedAt: waiting.incidentStartedAt,
            sourceHost: host,
            instanceId: taken.uuid,
            name: taken.name,
            statusBefore: 'ACTIVE',
            maxAttempts: 0,
          },
        ],
      });
      sim.setPower(host, 'Off');
      await incident.executeUpdate(confirmFencedUpdate, {
        args: [{ operator: 'alice', reason: 'power cut at the PDU' }],
      });
      return evacuationsEnded(incident);
    });

    const row = result.instances.find((candidate) => candidate.instanceId === taken.uuid);
    expect(row?.progress).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining(
        'was started before this run of the incident, so it is not started again',
      ) as unknown,
    });
    expect(evacuatesOf(sim, taken.uuid)).toEqual([]);
    const others = result.instances.filter(
      (candidate) =>
        candidate.instanceId !== taken.uuid && candidate.progress.outcome !== 'skipped',
    );
    expect(others.length).toBeGreaterThan(0);
    for (const other of others)
      expect(other.progress, other.name).toMatchObject({ outcome: 'landed' });
  });
});
