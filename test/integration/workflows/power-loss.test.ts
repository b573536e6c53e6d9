// A host loses power: the incident is admitted by the storm guard, fences the host (the BMC reads
// Off), forces it down, moves every protected instance of its 20 to another host exactly once
// (starting again those that ran, since Nova 2.95 lands them stopped), and re-admits the host once
// it is repaired; on a real Worker against the simulator.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import type { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import { readmitUpdate, stateQuery } from '../../../contracts/incident-messages.ts';
import { progressTable } from '../../../domain/incident-progress.ts';
import {
  LazarusHost,
  LazarusIncident,
  LazarusOutcome,
  LazarusPhase,
} from '../../../contracts/search-attributes.ts';
import { entriesOf, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { SHARED_STORAGE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [FIRST = '', SECOND = ''] = failedHostsOf('power-loss');

const cloud = useIncidentCloud({ hosts: 4, instancesPerHost: 20 });
const temporal = useIncidentTemporal(cloud);
const { address, namespace, cliPath } = inject('temporal');

/** What an operator sees without reading JSON: summary, search attributes and the progress table. */
async function expectTheWebUiToTellTheStory(
  handle: WorkflowHandle<typeof incidentWorkflow>,
  finished: IncidentState,
  phase: IncidentState['phase'],
): Promise<void> {
  const described = await handle.describe();
  expect(await described.staticSummary()).toBe(`incident of host ${finished.host}`);
  expect(await described.staticDetails()).toContain(
    'reported failed by alertmanager: node_exporter down',
  );
  expect({
    host: described.typedSearchAttributes.get(LazarusHost),
    incident: described.typedSearchAttributes.get(LazarusIncident),
    phase: described.typedSearchAttributes.get(LazarusPhase),
    outcome: described.typedSearchAttributes.get(LazarusOutcome),
  }).toEqual({ host: finished.host, incident: finished.incidentId, phase, outcome: 'Recovered' });
  const { currentDetails } = await handle.query<{ currentDetails: string }>(
    '__temporal_workflow_metadata',
  );
  expect(currentDetails).toBe(progressTable(finished));
}

describe('the incident of a host that lost power', () => {
  it('verifies every planned instance of 20 on another host, running again if it ran, reports the skipped ones with reasons, and sends one evacuate per instance', async () => {
    const { sim } = cloud();
    const host = FIRST;
    const before = sim.state().instances.filter((instance) => instance.host === host);
    expect(before).toHaveLength(20);
    sim.failHost(host, 'power-loss');

    const { evacuated, readmitted } = await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager', reason: 'node_exporter down' },
        { policy: SHARED_STORAGE_POLICY },
      );
      const evacuatedState = await evacuationsEnded(handle);
      await expectTheWebUiToTellTheStory(handle, evacuatedState, 'AwaitingReadmission');

      // Still dark: re-admission is refused, with why, and the incident keeps waiting.
      await expect(
        handle.executeUpdate(readmitUpdate, { args: [{ operator: 'bob', reason: 'repaired' }] }),
      ).rejects.toMatchObject({
        cause: { message: expect.stringContaining(`host ${host} is not re-admitted`) as unknown },
      });
      expect((await handle.query(stateQuery)).phase).toBe('AwaitingReadmission');
      expect(entriesOf(sim, 'service-update').filter((entry) => entry.host === host)).toHaveLength(
        1,
      );

      sim.setPower(host, 'On');
      expect(
        await handle.executeUpdate(readmitUpdate, {
          args: [{ operator: 'bob', reason: 'PSU replaced' }],
        }),
      ).toBe('Readmitted');
      const readmittedState = await handle.result();
      await expectTheWebUiToTellTheStory(handle, readmittedState, 'Readmitted');
      await recordHistoryIfAsked(handle, 'readmitted-incident');
      return { evacuated: evacuatedState, readmitted: readmittedState };
    });

    expect(evacuated).toMatchObject({
      host,
      phase: 'AwaitingReadmission',
      outcome: 'Recovered',
      fencing: { proof: { host, powerState: 'Off' } },
      admission: { admittedBy: expect.stringContaining('the storm guard') as unknown },
    });
    expect(readmitted).toMatchObject({
      phase: 'Readmitted',
      outcome: 'Recovered',
      readmission: {
        requestedBy: 'bob: PSU replaced',
        readmittedAt: expect.any(String) as unknown,
      },
    });
    expect(readmitted.instances).toEqual(evacuated.instances);
    expect(evacuated.instances.map((row) => row.instanceId).sort()).toEqual(
      before.map((instance) => instance.uuid).sort(),
    );
    const planned = evacuated.instances.filter((row) => row.progress.outcome !== 'skipped');
    const skipped = evacuated.instances.filter((row) => row.progress.outcome === 'skipped');
    // The seeded mix holds both kinds, so each branch of the report is exercised.
    expect(planned.length).toBeGreaterThan(0);
    expect(skipped.length).toBeGreaterThan(0);
    for (const row of skipped)
      expect(row.progress).toMatchObject({ reason: expect.stringMatching(/\w/) as unknown });

    const now = sim.state().instances;
    for (const row of planned) {
      const vmStateBefore = before.find((instance) => instance.uuid === row.instanceId)?.vmState;
      const landedAs = now.find((instance) => instance.uuid === row.instanceId);
      expect(row.progress, row.name).toMatchObject({
        outcome: 'landed',
        host: expect.not.stringMatching(host) as unknown,
      });
      expect(row.progress.outcome === 'landed' ? row.progress.host : undefined).toBe(
        landedAs?.host,
      );
      // Nova 2.95 lands every instance stopped (errored ones active); those that ran run again.
      expect({
        name: row.name,
        vmState: landedAs?.vmState,
        startedAgain: row.progress.outcome === 'landed' && row.progress.startedAgain === true,
      }).toEqual({
        name: row.name,
        vmState: vmStateBefore === 'stopped' ? 'stopped' : 'active',
        startedAgain: vmStateBefore === 'active',
      });
    }
    const evacuates = entriesOf(sim, 'evacuate')
      .map((entry) => entry.instance)
      .sort();
    expect(evacuates).toEqual(planned.map((row) => row.instanceId).sort());
    expect(sim.state().hosts.find((candidate) => candidate.name === host)?.service).toMatchObject({
      forcedDown: false,
      status: 'enabled',
    });
    expect(sim.invariants().violations).toEqual([]);
  });

  it('adds no evacuate when an operator resets the finished incident to its first workflow task, and keeps its incident id and start', async () => {
    const { sim } = cloud();
    const host = SECOND;
    sim.failHost(host, 'power-loss');
    const { client } = temporal();
    await temporal().withWorker(async (taskQueue) => {
      const first = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        { policy: SHARED_STORAGE_POLICY },
      );
      const before = await evacuationsEnded(first);
      await first.terminate('the test resets it after its evacuations');
      const evacuates = entriesOf(sim, 'evacuate').length;
      expect(before.instances.some((row) => row.progress.outcome === 'landed')).toBe(true);

      await promisify(execFile)(cliPath, [
        'workflow',
        'reset',
        '--address',
        address,
        '--namespace',
        namespace,
        '--workflow-id',
        first.workflowId,
        '--type',
        'FirstWorkflowTask',
        '--reason',
        'operator re-runs the incident',
      ]);
      const reset = client.workflow.getHandle<typeof incidentWorkflow>(first.workflowId);
      expect((await reset.describe()).runId).not.toBe(first.signaledRunId);
      const after = await evacuationsEnded(reset);

      expect(after).toMatchObject({
        incidentId: before.incidentId,
        incidentStartedAt: before.incidentStartedAt,
        outcome: 'Recovered',
      });
      expect(entriesOf(sim, 'evacuate')).toHaveLength(evacuates);
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
