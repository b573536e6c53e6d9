// The flapping guard (docs/design.md#flapping-guard): a host that fails again and again is
// recovered each time, but once it reaches the limit it is re-admitted only by an operator, and its
// next incident waits for one before fencing anything; another host's incident is not held with it.
import { describe, expect, it } from 'vitest';
import { readmitUpdate } from '../../../contracts/incident-messages.ts';
import {
  approveUpdate,
  guardStateQuery,
  stormGuardWorkflowId,
} from '../../../contracts/storm-guard-messages.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase, scheduledActivities } from './incident-observations.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = '', OTHER = ''] = failedHostsOf('flapping-guard');

// Two failures within an hour make a host flapping; the storm guard's own limits stay out of the way.
const cloud = useIncidentCloud({
  hosts: 61,
  instancesPerHost: 1,
  stormGuardLimits: {
    maxIncidents: 10,
    maxFractionDown: 0.5,
    windowMs: 600_000,
    flapping: { failures: 2, windowMs: 3_600_000 },
  },
});
const temporal = useIncidentTemporal(cloud);

const SETTINGS = {
  policy: EVERY_INSTANCE_POLICY,
  readmission: 'automatic',
  readmissionRecheckIntervalMs: 200,
} as const;

describe('the flapping guard', () => {
  it('re-admits a host by itself until its second failure, then only on an operator’s word, and holds its third incident (and no other) for an operator', async () => {
    const { sim } = cloud();
    await temporal().withWorker(async (taskQueue) => {
      const fail = (host: string) => {
        sim.failHost(host, 'power-loss');
        return temporal().report(taskQueue, { host, reporter: 'alertmanager' }, SETTINGS);
      };

      const first = await fail(HOST);
      expect((await evacuationsEnded(first)).admission).not.toHaveProperty(
        'noAutomaticReadmissionBecause',
      );
      sim.setPower(HOST, 'On');
      expect(await first.result()).toMatchObject({
        phase: 'Readmitted',
        readmission: { requestedBy: 'automatic: nova-compute reports again' },
      });

      const second = await fail(HOST);
      const evacuated = await evacuationsEnded(second);
      expect(evacuated.admission?.noAutomaticReadmissionBecause).toMatch(
        new RegExp(
          `^host ${HOST} failed 2 times within the last 1 h \\(.*incident/${HOST}/.*\\), and the limit is 2: it is not re-admitted automatically; check its hardware, then lazarus readmit ${HOST}$`,
        ),
      );
      sim.setPower(HOST, 'On');
      // The first incident looked at the compute within 200 ms of waiting; this one never looks.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await inPhase(second, 'AwaitingReadmission')).readmission).toBeUndefined();
      expect(await scheduledActivities(second)).not.toContain('checkComputeServiceUp');
      await second.executeUpdate(readmitUpdate, {
        args: [{ operator: 'bob', reason: 'replaced its PSU' }],
      });
      expect(await second.result()).toMatchObject({
        phase: 'Readmitted',
        readmission: { requestedBy: 'bob: replaced its PSU' },
      });

      const third = await fail(HOST);
      const held = await inPhase(third, 'AwaitingApproval');
      expect(held.admission?.heldBecause).toMatch(
        new RegExp(
          `^host ${HOST} failed 2 times within the last 1 h before this incident \\(.*\\), and the limit is 2: it may be flapping; check its hardware, then lazarus approve ${HOST}$`,
        ),
      );
      // Another host's incident is the storm guard's ordinary business: it is not held with it.
      const other = await fail(OTHER);
      expect(await evacuationsEnded(other)).toMatchObject({ outcome: 'Recovered' });
      expect((await inPhase(third, 'AwaitingApproval')).fencing.proof).toBeUndefined();

      const guard = temporal().client.workflow.getHandle(stormGuardWorkflowId(taskQueue));
      expect(
        await guard.executeUpdate(approveUpdate, {
          args: [{ operator: 'dave', reason: 'firmware updated', host: HOST }],
        }),
      ).toEqual([third.workflowId]);
      expect(await evacuationsEnded(third)).toMatchObject({
        outcome: 'Recovered',
        fencing: { proof: { powerState: 'Off' } },
        admission: {
          admittedBy: 'dave: firmware updated',
          noAutomaticReadmissionBecause: expect.stringContaining(
            `host ${HOST} failed 3 times`,
          ) as unknown,
        },
      });
      expect(
        (await guard.query(guardStateQuery)).failures?.filter((failure) => failure.host === HOST),
      ).toHaveLength(3);
      await recordHistoryIfAsked(second, 'flapping-host-readmitted-by-operator');
      await recordHistoryIfAsked(guard, 'storm-guard-flapping-host');
      // Closed, so a later run of this file starts afresh on incident/<host>.
      sim.setPower(HOST, 'On');
      await third.executeUpdate(readmitUpdate, { args: [{ operator: 'dave', reason: 'done' }] });
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
