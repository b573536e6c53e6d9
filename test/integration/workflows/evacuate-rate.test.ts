// The deployment's rate of evacuate calls: every evacuate runs on <taskQueue>/evacuate-calls, whose
// rate limit Temporal enforces across all workers, so even evacuations allowed to run at once reach
// Nova no faster than configured.
import { describe, expect, it } from 'vitest';
import { entriesOf, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationWorkflowId } from '../../../contracts/evacuation-messages.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('evacuate-rate');
const [BACKLOG_HOST = ''] = failedHostsOf('evacuate-rate-backlog');

const cloud = useIncidentCloud({ hosts: 58, instancesPerHost: 6 });
const temporal = useIncidentTemporal(cloud);

/** Fails `host` and waits until its incident's evacuations ended, evacuate calls limited to `perSecond`. */
async function recoverAt(host: string, perSecond: number, timeoutMs?: number) {
  cloud().sim.failHost(host, 'power-loss');
  return temporal().withWorker(
    async (taskQueue) =>
      evacuationsEnded(
        await temporal().report(
          taskQueue,
          { host, reporter: 'alertmanager' },
          { policy: EVERY_INSTANCE_POLICY, evacuationConcurrency: 6 },
        ),
        timeoutMs,
      ),
    { evacuateCallsPerSecond: perSecond },
  );
}

describe('the rate of evacuate calls', () => {
  it('spreads evacuations that may all run at once over time at the configured calls per second', async () => {
    const { sim } = cloud();
    const host = HOST;
    const state = await recoverAt(host, 1);

    const landed = state.instances.filter((row) => row.progress.outcome === 'landed');
    expect(landed).toHaveLength(6);
    const sentAt = entriesOf(sim, 'evacuate')
      .filter((entry) => entry.sourceHost === host)
      .map((entry) => Date.parse(entry.at))
      .sort((a, b) => a - b);
    expect(sentAt).toHaveLength(6);
    // At one a second, six calls span at least three seconds even if the server's limiter lets a
    // small burst through at once (seen: 3.8 s); without the limit they went out within 0.6 s.
    const first = sentAt[0] ?? 0;
    const last = sentAt[5] ?? 0;
    expect(last - first).toBeGreaterThanOrEqual(3_000);
  });

  it('sends an evacuate that waited in the rate-limited queue longer than an evacuate may take, on its first attempt', async () => {
    const { nova } = cloud();
    const host = BACKLOG_HOST;
    // One call every 10 s: the sixth waits about 50 s in the queue, more than the 30 s that a
    // one-minute startToClose, counted from when the attempt was scheduled, left for its evacuate.
    const state = await recoverAt(host, 0.1, 150_000);
    const { client } = temporal();

    // Its six and any the test above landed on it.
    const outcomes = state.instances.map((row) => row.progress.outcome);
    expect(outcomes.length).toBeGreaterThanOrEqual(6);
    expect(new Set(outcomes)).toEqual(new Set(['landed']));
    const incidentId = state.forcedDown?.failure.incidentId ?? '';
    for (const row of state.instances) {
      const history = await client.workflow
        .getHandle(evacuationWorkflowId(incidentId, row.instanceId))
        .fetchHistory();
      const events = history.events ?? [];
      const evacuateCalls = new Set(
        events.flatMap((event) =>
          event.activityTaskScheduledEventAttributes?.activityType?.name === 'evacuateInstance'
            ? [Number(event.eventId)]
            : [],
        ),
      );
      const attempts = events.flatMap((event) => {
        const started = event.activityTaskStartedEventAttributes;
        return started && evacuateCalls.has(Number(started.scheduledEventId))
          ? [started.attempt]
          : [];
      });
      expect(attempts).toEqual([1]);
    }
    const migrations = await nova.listMigrations({
      migrationType: 'evacuation',
      sourceCompute: host,
    });
    expect(migrations).toHaveLength(outcomes.length);
  }, 180_000);
});
