// Below 2.95 Nova keeps an evacuated instance's power state
// (docs/nova-and-bmc-facts.md#power-state-after-evacuation), so the incident must expect running
// instances back running; at 2.95, the simulator's default in the other files, it expects them
// stopped.
import { describe, expect, it } from 'vitest';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('nova-2-93');

// The default seed puts ACTIVE, SHUTOFF and ERROR instances on this file's host (cmp-07).
const cloud = useIncidentCloud({ hosts: 7, instancesPerHost: 10, novaMaxMicroversion: 93 });
const temporal = useIncidentTemporal(cloud);

describe('an incident on a Nova that speaks at most 2.93', () => {
  it('lands running instances running, stopped ones stopped and errored ones rebuilt running', async () => {
    const { sim } = cloud();
    const host = HOST;
    const before = new Map(
      sim
        .state()
        .instances.filter((i) => i.host === host)
        .map((i) => [i.uuid, i.vmState]),
    );
    sim.failHost(host, 'power-loss');

    const result = await temporal().withWorker(async (taskQueue) =>
      evacuationsEnded(
        await temporal().report(
          taskQueue,
          { host, reporter: 'nova' },
          { policy: EVERY_INSTANCE_POLICY },
        ),
      ),
    );

    expect(result.outcome).toBe('Recovered');
    const landed = result.instances
      .filter((row) => row.progress.outcome === 'landed')
      .map((row) => row.instanceId);
    const after = new Map(sim.state().instances.map((i) => [i.uuid, i.vmState]));
    const transitions = new Set(
      landed.map((id) => `${before.get(id) ?? '?'} -> ${after.get(id) ?? '?'}`),
    );
    expect([...transitions].sort()).toEqual([
      'active -> active',
      'error -> active',
      'stopped -> stopped',
    ]);
  });
});
