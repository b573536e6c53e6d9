// A crashed compute whose BMC ignores power-off: the incident must not touch Nova
// (docs/design.md#i1-fence-before-evacuate, docs/design.md#i4-force-down-after-fence) until an
// operator retries fencing, confirms manual fencing, or aborts; and reports join it
// (docs/design.md#i5-one-incident-per-host).
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import {
  abortUpdate,
  confirmFencedUpdate,
  retryFencingUpdate,
  stateQuery,
} from '../../../contracts/incident-messages.ts';
import type { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import { LazarusPhase } from '../../../contracts/search-attributes.ts';
import type { IncidentCloud } from '../activities/incident/incident-cloud.ts';
import { entriesOf, until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase } from './incident-observations.ts';
import { evacuationsEnded, useIncidentTemporal, recordHistoryIfAsked } from './incident-worker.ts';
import { SHARED_STORAGE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [FIRST = '', SECOND = ''] = failedHostsOf('fencing-unproven');

const cloud = useIncidentCloud({ hosts: 4, instancesPerHost: 6 });
const temporal = useIncidentTemporal(cloud);

function crashWithStubbornBmc(sim: IncidentCloud['sim'], host: string): void {
  sim.failHost(host, 'compute-crash');
  sim.setBmcFaults(host, { ignorePowerOff: true });
}

const waitForPhase = (
  handle: WorkflowHandle<typeof incidentWorkflow>,
  phase: IncidentState['phase'],
  fencingAttempts = 1,
): Promise<IncidentState> =>
  inPhase(handle, phase, (state) => state.fencing.attempts === fencingAttempts);

/** What reached Nova for this host: evacuates of its instances and service updates. */
function novaChangesFor(sim: IncidentCloud['sim'], host: string) {
  return {
    evacuates: entriesOf(sim, 'evacuate').filter((entry) => entry.sourceHost === host),
    serviceUpdates: entriesOf(sim, 'service-update').filter((entry) => entry.host === host),
  };
}

describe('an incident whose fencing cannot be proven', () => {
  it('evacuates nothing and forces nothing down, shows FencingUnproven, and recovers every instance once an operator confirms manual fencing', async () => {
    const { sim } = cloud();
    const host = FIRST;
    crashWithStubbornBmc(sim, host);

    const result = await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host, reporter: 'consul' },
        { policy: SHARED_STORAGE_POLICY },
      );
      const waiting = await waitForPhase(handle, 'FencingUnproven');
      expect(waiting.fencing.unprovenReason).toContain(`fencing host ${host}`);
      await until(
        async () =>
          (await handle.describe()).typedSearchAttributes.get(LazarusPhase) === 'FencingUnproven'
            ? true
            : undefined,
        'the LazarusPhase search attribute',
      );
      expect(novaChangesFor(sim, host)).toEqual({ evacuates: [], serviceUpdates: [] });

      await expect(
        handle.executeUpdate(confirmFencedUpdate, { args: [{ operator: 'alice', reason: ' ' }] }),
      ).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/who decides .* and why/) as unknown },
      });
      // Manual fencing: the operator cuts the power without the BMC (at the PDU), then says so.
      sim.setPower(host, 'Off');
      const phase = await handle.executeUpdate(confirmFencedUpdate, {
        args: [{ operator: 'alice', reason: 'power cut at the PDU' }],
      });
      expect(phase).toBe('ForcingDown');
      const ended = await evacuationsEnded(handle);
      await recordHistoryIfAsked(handle, 'confirmed-fencing-incident');
      return ended;
    });

    expect(result).toMatchObject({
      phase: 'AwaitingReadmission',
      outcome: 'Recovered',
      fencing: { confirmedBy: { operator: 'alice', reason: 'power cut at the PDU' } },
    });
    expect(
      sim.state().hosts.find((candidate) => candidate.name === host)?.service.disabledReason,
    ).toMatch(/fenced manually, confirmed by alice at /);
    const planned = result.instances.filter((row) => row.progress.outcome !== 'skipped');
    expect(planned.length).toBeGreaterThan(0);
    for (const row of planned) expect(row.progress, row.name).toMatchObject({ outcome: 'landed' });
    expect(
      novaChangesFor(sim, host)
        .evacuates.map((entry) => entry.instance)
        .sort(),
    ).toEqual(planned.map((row) => row.instanceId).sort());
    expect(sim.invariants().violations).toEqual([]);
  });

  it('joins a second report to the running incident, retries fencing on request, and closes without touching Nova when aborted', async () => {
    const { sim } = cloud();
    const host = SECOND;
    crashWithStubbornBmc(sim, host);

    const result = await temporal().withWorker(async (taskQueue) => {
      const first = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        { policy: SHARED_STORAGE_POLICY },
      );
      await waitForPhase(first, 'FencingUnproven');
      const second = await temporal().report(
        taskQueue,
        { host, reporter: 'consul', reason: 'agent silent' },
        { policy: SHARED_STORAGE_POLICY },
      );
      expect(second.signaledRunId).toBe(first.signaledRunId);
      const joined = await until(async () => {
        const state = await first.query(stateQuery);
        return state.reportCount === 2 ? state : undefined;
      }, 'the second report');
      expect(joined.reports.map((report) => report.reporter)).toEqual(['alertmanager', 'consul']);

      expect(await first.executeUpdate(retryFencingUpdate)).toBe('Fencing');
      await waitForPhase(first, 'FencingUnproven', 2);
      expect(
        await first.executeUpdate(abortUpdate, {
          args: [{ operator: 'bob', reason: 'host is being replaced' }],
        }),
      ).toBe('Aborted');
      return first.result();
    });

    expect(result).toMatchObject({
      phase: 'Aborted',
      outcome: 'Aborted',
      abortedBy: { operator: 'bob' },
      instances: [],
    });
    expect(novaChangesFor(sim, host)).toEqual({ evacuates: [], serviceUpdates: [] });
  });
});
