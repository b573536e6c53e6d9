// The bound by Nova's queue (docs/design.md#novas-queue): once its landings give Nova's pace, a
// host keeps no more evacuations in Nova than Nova lands within its time alone plus the wait
// allowed, so evacuates sent faster than Nova lands wait in Lazarus, not in Nova's queue.
import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../activities/openstack/index.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';

const [HOST = ''] = failedHostsOf('nova-queue');

// Nova schedules one evacuation at a time, 250 ms each, and rebuilds in 250 ms (real time): four
// landings a second, one alone in half a second. Evacuates are sent ten a second, so without the
// bound Nova's queue grows by six a second while the host's 40 are sent.
const cloud = useIncidentCloud({
  hosts: 59,
  instancesPerHost: 40,
  timing: { schedulingMs: 250_000, schedulingConcurrency: 1, rebuildMs: 250_000 },
});
const temporal = useIncidentTemporal(cloud);

/** How many of the host's evacuations Nova held, accepted and not done, as each was accepted. */
function inNovaAtEachAccept(migrations: readonly Migration[]): { at: number; inNova: number }[] {
  const spans = migrations.map((m) => ({
    accepted: Date.parse(m.createdAt),
    done: Date.parse(m.updatedAt ?? ''),
  }));
  return spans
    .map(({ accepted: at }) => ({
      at,
      inNova: spans.filter((span) => span.accepted <= at && span.done > at).length,
    }))
    .sort((a, b) => a.at - b.at);
}

describe('the bound by Nova’s queue', () => {
  it('keeps no more of the host’s evacuations in Nova than Nova lands within its time alone and novaQueueWaitMs', async () => {
    const { sim, nova } = cloud();
    sim.failHost(HOST, 'power-loss');
    const state = await temporal().withWorker(
      async (taskQueue) => {
        const handle = await temporal().report(
          taskQueue,
          { host: HOST, reporter: 'alertmanager' },
          {
            policy: EVERY_INSTANCE_POLICY,
            isAdmissionRequired: false,
            evacuationConcurrency: 3,
            landingCheckIntervalMs: 100,
            novaQueueWaitMs: 500,
          },
        );
        const ended = await evacuationsEnded(handle);
        await recordHistoryIfAsked(handle, 'nova-queue-bounded');
        return ended;
      },
      { evacuateCallsPerSecond: 10 },
    );

    expect(state.instances.map((row) => row.progress.outcome)).toEqual(Array(40).fill('landed'));
    const migrations = await nova.listMigrations({
      migrationType: 'evacuation',
      sourceCompute: HOST,
    });
    const thirdDone = [...migrations.map((m) => Date.parse(m.updatedAt ?? ''))].sort(
      (a, b) => a - b,
    )[2];
    // Four landings a second times (0.5 s alone + 0.5 s) is 4, and 5 for the landings one look of
    // the watch waits for; once the watch has seen three landings every accept finds at most that
    // many in Nova, itself included, plus one for a rate read high from three landings. Unbounded,
    // 10 sent and 4 landed a second leave 20 or more in Nova by the last accept.
    const afterRate = inNovaAtEachAccept(migrations).filter(
      ({ at }) => at > (thirdDone ?? Infinity) + 500,
    );
    expect(afterRate.length).toBeGreaterThan(10);
    expect(Math.max(...afterRate.map(({ inNova }) => inNova))).toBeLessThanOrEqual(10);
  });
});
