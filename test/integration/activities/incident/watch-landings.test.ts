// watchLandings: one listing of the host's evacuation migrations covers every evacuation in flight;
// those Nova finished are judged, from one listing of the servers, as verifyLanding judges them, those still in flight are left out,
// and a failed migration being retried after does not count as the retry's landing.
import { describe, expect, it } from 'vitest';
import type { WatchedEvacuation } from '../../../../contracts/evacuation-messages.ts';
import { fencedAndForcedDown, until, useIncidentCloud } from './incident-cloud.ts';

// Scheduling takes 3 s of real time: long enough to look while every evacuation is in flight. All
// ten are scheduled at once, not one at a time as the simulator's Nova does by default, so they
// land together within the wait.
const cloud = useIncidentCloud({
  hosts: 3,
  instancesPerHost: 10,
  seed: 11,
  novaMaxMicroversion: 93,
  timing: { schedulingMs: 3_000_000, schedulingConcurrency: Number.POSITIVE_INFINITY },
});

describe('watchLandings', () => {
  it('asks Nova once for the whole host while all are in flight, then reports each landing once it is done', async () => {
    const c = cloud();
    const host = 'cmp-01';
    const { incidentStartedAt, instances } = await fencedAndForcedDown(c, host);
    for (const instance of instances)
      await c.activities.evacuateInstance({
        incidentId: `incident/${host}`,
        instanceId: instance.id,
        sourceHost: host,
        incidentStartedAt,
      });
    const evacuations: WatchedEvacuation[] = instances.map((instance) => ({
      workflowId: `evacuation/incident/${host}/${instance.id}`,
      instanceId: instance.id,
      statusBefore: instance.status,
      doesEvacuateStopInstances: false,
    }));
    const look = () =>
      c.activities.watchLandings({ sourceHost: host, incidentStartedAt, evacuations });

    const requestsBefore = c.sim.novaRequests();
    expect(await look()).toEqual([]);
    expect(c.sim.novaRequests() - requestsBefore).toBe(1);

    const seen = await until(async () => {
      const landings = await look();
      return landings.length === instances.length ? landings : undefined;
    }, 'every evacuation to land');
    // Every landing of the host from two requests: its migrations, and the servers changed since.
    const requestsLanded = c.sim.novaRequests();
    expect(await look()).toHaveLength(instances.length);
    expect(c.sim.novaRequests() - requestsLanded).toBe(2);

    const statusAfter = new Map(
      seen.map(({ watched, landing }) => [
        watched.instanceId,
        landing.outcome === 'landed' ? landing.status : landing.reason,
      ]),
    );
    for (const instance of instances)
      expect(statusAfter.get(instance.id)).toBe(
        instance.status === 'SHUTOFF' ? 'SHUTOFF' : 'ACTIVE',
      );

    // Retrying after the migration that landed: the retry's own migration is not there yet.
    const [first] = seen;
    if (first?.landing.outcome !== 'landed') throw new Error('no landing to retry after');
    const retried = { ...first.watched, retryAfterMigrationId: first.landing.migration.id };
    expect(
      await c.activities.watchLandings({
        sourceHost: host,
        incidentStartedAt,
        evacuations: [retried],
      }),
    ).toEqual([]);
  });
});
