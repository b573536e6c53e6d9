// The deployment's rate of evacuate calls: every evacuate runs on <taskQueue>/evacuate-calls, whose
// rate limit Temporal enforces across all workers, so even evacuations allowed to run at once reach
// Nova no faster than configured.
import { describe, expect, it } from 'vitest';
import { entriesOf, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('evacuate-rate');

const cloud = useIncidentCloud({ hosts: 16, instancesPerHost: 6 });
const temporal = useIncidentTemporal(cloud);

describe('the rate of evacuate calls', () => {
  it('spreads evacuations that may all run at once over time at the configured calls per second', async () => {
    const { sim } = cloud();
    const host = HOST;
    sim.failHost(host, 'power-loss');

    const state = await temporal().withWorker(
      async (taskQueue) =>
        evacuationsEnded(
          await temporal().report(
            taskQueue,
            { host, reporter: 'alertmanager' },
            { policy: EVERY_INSTANCE_POLICY, evacuationConcurrency: 6 },
          ),
        ),
      { evacuateCallsPerSecond: 1 },
    );

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
});
