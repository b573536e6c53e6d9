// Capacity-aware recovery (docs/design.md#capacity-aware-recovery): with no room on the other hosts
// the incident sends no evacuate, and says for each instance what it needs and what is free; once
// room appears (here a spare host's capacity grows, as when an operator frees one), they go.
import { describe, expect, it } from 'vitest';
import { retryNowUpdate } from '../../../contracts/incident-messages.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase, touched } from './incident-observations.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = '', OTHER = ''] = failedHostsOf('capacity-aware');
// The spare, added after the 66 hosts with no instances.
const SPARE = 'cmp-67';
const ROOMY = { vcpus: 512, ramMb: 1_048_576, diskGb: 16_000 };

// One MiB of RAM per host: every host, the spare included, is full.
const cloud = useIncidentCloud({
  hosts: 66,
  spareHosts: 1,
  instancesPerHost: 2,
  hostCapacity: { ...ROOMY, ramMb: 1 },
});
const temporal = useIncidentTemporal(cloud);

describe('capacity-aware recovery', () => {
  it('sends no evacuate while no host has room, says what each instance needs, and evacuates once room appears and an operator says retry', async () => {
    const { sim } = cloud();
    sim.failHost(HOST, 'power-loss');
    await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host: HOST, reporter: 'alertmanager' },
        {
          policy: EVERY_INSTANCE_POLICY,
          isAdmissionRequired: false,
          // Read again only a minute later by itself: `lazarus retry` reads it now.
          capacityRecheckIntervalMs: 60_000,
        },
      );
      const waiting = await inPhase(handle, 'Evacuating', (state) =>
        state.instances.some(
          (row) => row.progress.outcome === 'planned' && row.progress.waitingForCapacity,
        ),
      );
      // In priority order, the first waits and the other waits behind it.
      const [first] = waiting.instances;
      expect(first?.progress).toEqual({
        outcome: 'planned',
        waitingForCapacity: expect.stringMatching(
          /^no capacity: needs \d+ vCPU \/ \d+ MiB \/ \d+ GB; \d+ other enabled, up hosts with \d+ vCPU \/ \d+ MiB \/ \d+ GB free, the most on one \(cmp-\d+\) \d+ vCPU \/ \d+ MiB \/ \d+ GB$/,
        ) as unknown,
      });
      expect(waiting.instances.map((row) => row.progress.outcome)).toEqual(['planned', 'planned']);
      expect(touched(sim, [HOST]).filter((entry) => entry.kind === 'evacuate')).toEqual([]);

      sim.setHostCapacity(SPARE, ROOMY);
      expect(await handle.executeUpdate(retryNowUpdate)).toBe(1);
      const ended = await evacuationsEnded(handle);
      expect(ended.instances.map((row) => row.progress)).toEqual([
        expect.objectContaining({ outcome: 'landed', host: SPARE }),
        expect.objectContaining({ outcome: 'landed', host: SPARE }),
      ]);
      await recordHistoryIfAsked(handle, 'capacity-waited-for');
    });
    expect(sim.invariants().violations).toEqual([]);
  });

  it('evacuates without the check, and says why, when the room cannot be read', async () => {
    const { sim } = cloud();
    // A policy that hides the hypervisors from Lazarus's account: the instances are not left down for it.
    sim.addFault({
      service: 'nova',
      endpoint: 'GET /os-hypervisors/detail',
      fault: {
        kind: 'status',
        status: 403,
        message: 'Policy does not allow os_compute_api:os-hypervisors:list-detail',
      },
    });
    sim.setHostCapacity(SPARE, ROOMY);
    sim.failHost(OTHER, 'power-loss');
    try {
      const ended = await temporal().withWorker(async (taskQueue) => {
        const handle = await temporal().report(
          taskQueue,
          { host: OTHER, reporter: 'alertmanager' },
          {
            policy: EVERY_INSTANCE_POLICY,
            isAdmissionRequired: false,
            capacityRecheckIntervalMs: 300,
          },
        );
        return evacuationsEnded(handle);
      });
      expect(ended.capacity?.unknownBecause).toMatch(
        /^the room on other hosts could not be read: .*403/,
      );
      expect(ended.instances.map((row) => row.progress)).toEqual([
        expect.objectContaining({ outcome: 'landed', host: SPARE }),
        expect.objectContaining({ outcome: 'landed', host: SPARE }),
      ]);
    } finally {
      sim.clearFaults();
    }
  });
});
