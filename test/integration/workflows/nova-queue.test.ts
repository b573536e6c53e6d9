// The bound by Nova's queue (docs/design.md#novas-queue): once its landings give Nova's pace, a
// host keeps no more evacuations in Nova than Nova lands within its time alone plus the wait
// allowed, so evacuates sent faster than Nova lands wait in Lazarus, not in Nova's queue.
import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../activities/openstack/index.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import {
  FEWEST_LANDINGS_FOR_A_RATE,
  inFlightBound,
  withLanding,
  type NovaPace,
} from '../../../domain/nova-queue.ts';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';

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
function inNovaAtEachAccept(
  migrations: readonly Migration[],
): { instanceId: string; at: number; inNova: number }[] {
  const spans = migrations.map((m) => ({
    instanceId: m.instanceId,
    accepted: Date.parse(m.createdAt),
    done: Date.parse(m.updatedAt ?? ''),
  }));
  return spans
    .map(({ instanceId, accepted: at }) => ({
      instanceId,
      at,
      inNova: spans.filter((span) => span.accepted <= at && span.done > at).length,
    }))
    .sort((a, b) => a.at - b.at);
}

/**
 * The instances whose evacuation the incident started after its landing watch had seen 3 landings,
 * so with a bound: in the order of the incident's own history.
 */
async function startedOnceTheRateWasKnown(handle: WorkflowHandle): Promise<Set<string>> {
  const events = (await handle.fetchHistory()).events ?? [];
  const watchLooks = new Set(
    events
      .filter(
        (event) =>
          event.activityTaskScheduledEventAttributes?.activityType?.name === 'watchLandings',
      )
      .map((event) => Number(event.eventId)),
  );
  let landingsSeen = 0;
  const started = new Set<string>();
  for (const event of events) {
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && watchLooks.has(Number(completed.scheduledEventId))) {
      const [payload] = completed.result?.payloads ?? [];
      landingsSeen +=
        payload === undefined ? 0 : defaultPayloadConverter.fromPayload<unknown[]>(payload).length;
    }
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (child && landingsSeen >= FEWEST_LANDINGS_FOR_A_RATE)
      started.add(child.slice(child.lastIndexOf('/') + 1));
  }
  return started;
}

describe('the bound by Nova’s queue', () => {
  it('keeps no more of the host’s evacuations in Nova than Nova lands within its time alone and novaQueueWaitMs', async () => {
    const { sim, nova } = cloud();
    sim.failHost(HOST, 'power-loss');
    const { ended: state, startedOnceBounded } = await temporal().withWorker(
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
        return { ended, startedOnceBounded: await startedOnceTheRateWasKnown(handle) };
      },
      { evacuateCallsPerSecond: 10 },
    );

    expect(state.instances.map((row) => row.progress.outcome)).toEqual(Array(40).fill('landed'));
    const migrations = await nova.listMigrations({
      migrationType: 'evacuation',
      sourceCompute: HOST,
    });
    // Lazarus read its bound from the landings it had seen, a prefix of Nova's record (every one it
    // lists is done), and started an evacuation only below it: so the accept of each evacuation it
    // started once it knew the rate finds in Nova, itself included, at most the largest bound some
    // prefix of the landings before it gives. (Those started before, unbounded, count in Nova too,
    // and in Lazarus's count as well.) Those figures are read from
    // Nova's own clock, so a loaded machine that slows Nova's landings raises the bound with them.
    // About 4 a second × (0.5 s alone + 0.5 s) + 5 on a quiet machine; unbounded, 10 sent and 4
    // landed a second leave 20 or more in Nova by the last accept.
    const landings = migrations
      .map((m) => ({ landedAt: Date.parse(m.updatedAt ?? ''), accepted: Date.parse(m.createdAt) }))
      .sort((a, b) => a.landedAt - b.landedAt);
    const boundsAfter = landings.reduce<{ pace?: NovaPace; bounds: number[] }>(
      ({ pace, bounds }, { landedAt, accepted }) => {
        const next = withLanding(pace, { landedAt, landingMs: landedAt - accepted });
        return { pace: next, bounds: [...bounds, inFlightBound(next, 500)] };
      },
      { bounds: [] },
    ).bounds;
    const afterRate = inNovaAtEachAccept(migrations).filter(({ instanceId }) =>
      startedOnceBounded.has(instanceId),
    );
    expect(afterRate.length).toBeGreaterThan(10);
    for (const { at, inNova } of afterRate) {
      const seenBefore = landings.filter(({ landedAt }) => landedAt < at).length;
      const bound = Math.max(...boundsAfter.slice(0, seenBefore).filter(Number.isFinite));
      expect({ at, inNova }).toEqual({ at, inNova: Math.min(inNova, bound) });
    }
    expect(Math.max(...afterRate.map(({ inNova }) => inNova))).toBeLessThan(20);
  });
});
