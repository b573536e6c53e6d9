// An operator pauses all automation: a running incident starts no new evacuation (the one in
// flight finishes and verifies) and a new incident is held; resume lets both go on.
import { describe, expect, it } from 'vitest';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import {
  pauseUpdate,
  resumeUpdate,
  stormGuardWorkflowId,
} from '../../../contracts/storm-guard-messages.ts';
import { entriesOf, until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { inPhase, touched } from './incident-observations.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const cloud = useIncidentCloud({ hosts: 13, instancesPerHost: 4 });
const temporal = useIncidentTemporal(cloud);

describe('pausing automation', () => {
  it('pauses: no new evacuation starts and new incidents are held; resume lets both go on', async () => {
    const { sim } = cloud();
    const [first = '', second = ''] = failedHostsOf('pause');
    sim.failHost(first, 'power-loss');
    const evacuatesFrom = (host: string) =>
      entriesOf(sim, 'evacuate').filter((entry) => entry.sourceHost === host).length;

    await temporal().withWorker(async (taskQueue) => {
      const guard = temporal().client.workflow.getHandle(stormGuardWorkflowId(taskQueue));
      const running = await temporal().report(
        taskQueue,
        { host: first, reporter: 'alertmanager' },
        // One in Nova at a time, so that some are still planned when the pause comes.
        { policy: EVERY_INSTANCE_POLICY, evacuationConcurrency: 1, maxEvacuationsInFlight: 1 },
      );
      await until(
        async () =>
          (await running.query(stateQuery)).instances.some(
            (row) => row.progress.outcome === 'landed',
          )
            ? true
            : undefined,
        'a first landing',
      );
      await guard.executeUpdate(pauseUpdate, {
        args: [{ operator: 'erin', reason: 'Nova upgrade in progress' }],
      });
      await until(
        async () =>
          (await running.query(stateQuery)).pausedBy === 'erin: Nova upgrade in progress'
            ? true
            : undefined,
        'the incident to learn of the pause',
      );
      // What was in flight finishes and verifies; nothing new starts.
      const paused = await until(async () => {
        const state = await running.query(stateQuery);
        return state.instances.some((row) => row.progress.outcome === 'evacuating')
          ? undefined
          : state;
      }, 'the evacuation in flight to end');
      const sentWhilePaused = evacuatesFrom(first);
      expect(paused.instances.some((row) => row.progress.outcome === 'planned')).toBe(true);

      sim.failHost(second, 'power-loss');
      const held = await temporal().report(
        taskQueue,
        { host: second, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY },
      );
      expect((await inPhase(held, 'AwaitingApproval')).admission?.heldBecause).toContain(
        'automation is paused by erin',
      );
      expect(evacuatesFrom(first)).toBe(sentWhilePaused);
      expect(touched(sim, [second])).toEqual([]);

      await guard.executeUpdate(resumeUpdate, {
        args: [{ operator: 'erin', reason: 'upgrade done' }],
      });
      for (const incident of [running, held])
        expect(await evacuationsEnded(incident)).toMatchObject({
          phase: 'AwaitingReadmission',
          outcome: 'Recovered',
        });
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
