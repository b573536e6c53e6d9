// watchLandings: one listing of the host's evacuation migrations covers every evacuation in flight;
// those Nova finished are judged, from one listing of the servers, as verifyLanding judges them, those still in flight are left out,
// and a failed migration being retried after does not count as the retry's landing.
import { describe, expect, it } from 'vitest';
import type { WatchedEvacuation } from '../../../../contracts/evacuation-messages.ts';
import type { NovaClient } from '../../../../activities/openstack/index.ts';
import { watchLandings } from '../../../../activities/incident/watch-landings.ts';
import { parseOpenStackTime } from '../../../../activities/openstack/openstack-time.ts';
import type { IncidentCloud } from './incident-cloud.ts';
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

// Scheduling takes 12 s of real time, longer than the margin the servers listing allows for Nova's
// clocks (SERVER_SAVE_MARGIN_MS), so the accepts and the landings are told apart by Nova's time.
const queuedCloud = useIncidentCloud({
  hosts: 2,
  instancesPerHost: 2,
  seed: 12,
  novaMaxMicroversion: 93,
  timing: { schedulingMs: 12_000_000, schedulingConcurrency: Number.POSITIVE_INFINITY },
});

async function evacuateAll(c: IncidentCloud, host: string) {
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
  return { incidentStartedAt, instances, evacuations };
}

describe('watchLandings', () => {
  it('asks Nova once for the whole host while all are in flight, then reports each landing once it is done', async () => {
    const c = cloud();
    const host = 'cmp-01';
    const { incidentStartedAt, instances, evacuations } = await evacuateAll(c, host);
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

  it('lists the servers changed since the landings, not since the accepts, however long Nova queued the evacuations', async () => {
    const c = queuedCloud();
    const host = 'cmp-01';
    const { incidentStartedAt, evacuations } = await evacuateAll(c, host);
    const sinces: string[] = [];
    const nova = new Proxy(c.nova, {
      get(target, property: keyof NovaClient) {
        if (property !== 'listInstancesChangedSince') return Reflect.get(target, property);
        return (since: string) => {
          sinces.push(since);
          return target.listInstancesChangedSince(since);
        };
      },
    });
    const seen = await until(
      async () => {
        const landings = await watchLandings(nova, {
          sourceHost: host,
          incidentStartedAt,
          evacuations,
        });
        return landings.length === evacuations.length ? landings : undefined;
      },
      'every evacuation to land',
      60_000,
    );

    // A server changed at any time since the accepts would be listed from the accepts on: every
    // server Nova touched while it queued these, of every host, pages of them on a loaded cloud.
    const accepts = seen.map(({ landing }) =>
      landing.outcome === 'landed' ? parseOpenStackTime(landing.migration.createdAt) : null,
    );
    expect(sinces).toHaveLength(1);
    expect(Date.parse(sinces[0] ?? '')).toBeGreaterThan(Math.max(...accepts.map(Number)));
    expect(seen.map(({ landing }) => landing.outcome)).toEqual(['landed', 'landed']);
  });
});
