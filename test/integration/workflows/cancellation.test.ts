// An operator cancels an incident mid-evacuation: no new evacuation starts, the one in flight
// finishes and is verified, the host stays fenced and forced down, and the result says it all.
import { describe, expect, it } from 'vitest';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import { entriesOf, until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('cancellation');

const cloud = useIncidentCloud({ hosts: 5, instancesPerHost: 10 });
const temporal = useIncidentTemporal(cloud);

describe('cancelling an incident while it evacuates', () => {
  it('starts no new evacuation, lets the one in flight land, leaves the host forced down and disabled, and reports Cancelled', async () => {
    const { sim } = cloud();
    const host = HOST;
    sim.failHost(host, 'power-loss');

    const result = await temporal().withWorker(async (taskQueue) => {
      // One at a time, so the cancellation finds instances not yet started.
      const handle = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY, evacuationConcurrency: 1 },
      );
      await until(
        async () =>
          (await handle.query(stateQuery)).instances.some(
            (row) => row.progress.outcome === 'landed',
          )
            ? true
            : undefined,
        'a first landing',
      );
      await handle.cancel();
      const finished = await handle.result();
      await recordHistoryIfAsked(handle, 'cancelled-incident');
      return finished;
    });

    const outcomes = result.instances.map((row) => row.progress.outcome);
    expect(result).toMatchObject({ phase: 'Reported', outcome: 'Cancelled' });
    expect(outcomes).toContain('landed');
    expect(outcomes).toContain('notStarted');
    expect(
      outcomes.filter((outcome) => !['landed', 'notStarted', 'skipped'].includes(outcome)),
    ).toEqual([]);
    const landed = result.instances
      .filter((row) => row.progress.outcome === 'landed')
      .map((row) => row.instanceId);
    expect(
      entriesOf(sim, 'evacuate')
        .map((entry) => entry.instance)
        .sort(),
    ).toEqual(landed.sort());
    expect(sim.state().hosts.find((h) => h.name === host)?.service).toMatchObject({
      forcedDown: true,
      status: 'disabled',
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
