// I2 across incidents (docs/design.md#i2-exactly-once): an operator terminates an incident while its
// evacuations run (ABANDON keeps them going) and the host is reported again. The new incident is
// a new run with a new incident id, yet the host's failure is the same one, so Nova must accept at
// most one evacuate per instance from both incidents together.
import { describe, expect, it } from 'vitest';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import { incidentWorkflowId } from '../../../contracts/incident-messages.ts';
import {
  evacuatesOf,
  TIME_SCALE,
  until,
  useIncidentCloud,
} from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('two-incidents-of-one-failure');

// Enough hosts for every file's failed hosts in failed-hosts.ts up to this one's, and room to land.
// Rebuilds take 15 s, so an instance is still on the failed host, rebuilding, when a second
// evacuate reaches Nova.
const cloud = useIncidentCloud({
  hosts: 36,
  instancesPerHost: 2,
  timing: { rebuildMs: 15_000 * TIME_SCALE },
});
const REQUEST_DELAY_MS = 5_000;
const temporal = useIncidentTemporal(cloud);

describe('a host reported again after its incident was terminated mid-evacuation', () => {
  it('gets no second evacuate for an instance the first incident is still evacuating', async () => {
    const { sim } = cloud();
    const host = HOST;
    const instances = sim.state().instances.filter((instance) => instance.host === host);
    expect(instances.length).toBeGreaterThan(0);
    sim.failHost(host, 'compute-crash');
    // The first incident's evacuate requests take 5 s to reach Nova, so they are still on their
    // way when it is terminated and the second incident evacuates.
    sim.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: { kind: 'latency', ms: REQUEST_DELAY_MS * TIME_SCALE },
      times: instances.length,
    });

    const second = await temporal().withWorker(async (taskQueue) => {
      const report = () =>
        temporal().report(
          taskQueue,
          { host, reporter: 'alertmanager' },
          { policy: EVERY_INSTANCE_POLICY },
        );
      const first = await report();
      const firstState = await until(
        async () => {
          const state = await first.query(stateQuery);
          return state.phase === 'Evacuating' ? state : undefined;
        },
        'the first incident to evacuate',
        30_000,
      );
      await until(
        () => Promise.resolve(sim.faults().length === 0 ? true : undefined),
        "the first incident's evacuate requests to be on their way",
        30_000,
      );
      await temporal()
        .client.workflow.getHandle(incidentWorkflowId(host), first.signaledRunId)
        .terminate('test: an operator ends the incident while it evacuates');
      const again = await report();
      // Both incidents' requests have reached Nova once the delayed ones are through.
      await until(
        () =>
          Promise.resolve(
            instances.every((instance) => evacuatesOf(sim, instance.uuid).length > 0) &&
              Date.now() - Date.parse(firstState.incidentStartedAt) > REQUEST_DELAY_MS + 1_000
              ? true
              : undefined,
          ),
        'the delayed evacuate requests to arrive',
        30_000,
      );
      expect(sim.invariants().violations).toEqual([]);
      for (const instance of instances)
        expect(evacuatesOf(sim, instance.uuid), instance.name).toHaveLength(1);
      const state = await evacuationsEnded(again);
      expect(state.incidentId).not.toBe(firstState.incidentId);
      return state;
    });

    for (const row of second.instances)
      expect(row.progress, row.name).toMatchObject({
        outcome: expect.stringMatching(/^(landed|alreadyEvacuated)$/) as unknown,
      });
  });
});
