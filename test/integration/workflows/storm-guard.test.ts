// A rack fails at once, past the blast radius: the storm guard holds every incident, nothing is
// fenced or touched in Nova until an operator approves (docs/design.md#i6-storm-guard).
import { describe, expect, it } from 'vitest';
import { abortUpdate } from '../../../contracts/incident-messages.ts';
import {
  approveUpdate,
  guardStateQuery,
  stormGuardWorkflowId,
} from '../../../contracts/storm-guard-messages.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase, touched } from './incident-observations.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

// A rack of four of the fourteen hosts (this file's, from failed-hosts.ts) is 29 % of the fleet.
const cloud = useIncidentCloud({
  hosts: 14,
  instancesPerHost: 3,
  stormGuardLimits: { maxIncidents: 10, maxFractionDown: 0.25, windowMs: 600_000 },
});
const temporal = useIncidentTemporal(cloud);

describe('the storm guard', () => {
  it('holds a rack failure past the blast radius, fences nothing until an operator approves, and lets an aborted incident go', async () => {
    const { sim } = cloud();
    const rack = failedHostsOf('storm-guard');
    for (const host of rack) sim.failHost(host, 'power-loss');
    await until(
      async () =>
        Promise.resolve(
          rack.every(
            (host) => sim.state().hosts.find((h) => h.name === host)?.service.state === 'down',
          )
            ? true
            : undefined,
        ),
      'the rack to read down in Nova',
    );

    await temporal().withWorker(async (taskQueue) => {
      const incidents = await Promise.all(
        rack.map((host) =>
          temporal().report(
            taskQueue,
            { host, reporter: 'alertmanager' },
            { policy: EVERY_INSTANCE_POLICY },
          ),
        ),
      );
      for (const incident of incidents) {
        const held = await inPhase(incident, 'AwaitingApproval');
        expect(held.admission?.heldBecause).toMatch(
          /nova-compute services are down, more than the limit of 25 %|already holds/,
        );
      }
      const guard = temporal().client.workflow.getHandle(stormGuardWorkflowId(taskQueue));
      expect((await guard.query(guardStateQuery)).held.map((held) => held.host).sort()).toEqual(
        rack,
      );
      expect(touched(sim, rack)).toEqual([]);

      const [aborted, ...approved] = incidents;
      if (aborted === undefined) throw new Error('no incident was reported');
      expect(
        await aborted.executeUpdate(abortUpdate, {
          args: [{ operator: 'dave', reason: `${rack[0] ?? ''} is being decommissioned` }],
        }),
      ).toBe('Aborted');
      await until(
        async () => ((await guard.query(guardStateQuery)).held.length === 3 ? true : undefined),
        'the guard to forget the aborted incident',
      );
      await expect(
        guard.executeUpdate(approveUpdate, { args: [{ operator: 'dave', reason: ' ' }] }),
      ).rejects.toThrow();

      const admittedIds = await guard.executeUpdate(approveUpdate, {
        args: [{ operator: 'dave', reason: 'the rack lost its PDU; the failure is real' }],
      });
      expect(admittedIds.sort()).toEqual(approved.map((incident) => incident.workflowId).sort());
      for (const incident of approved) {
        const state = await evacuationsEnded(incident);
        expect(state).toMatchObject({
          phase: 'AwaitingReadmission',
          outcome: 'Recovered',
          admission: { admittedBy: 'dave: the rack lost its PDU; the failure is real' },
        });
      }
      expect(await aborted.result()).toMatchObject({
        phase: 'Aborted',
        abortedBy: { operator: 'dave' },
      });
    });
    expect(touched(sim, rack.slice(0, 1))).toEqual([]);
    expect(sim.invariants().violations).toEqual([]);
  });
});
