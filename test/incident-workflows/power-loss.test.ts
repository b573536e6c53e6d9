// A host loses power: the incident fences it (the BMC reads Off), forces it down, and moves every
// protected instance to another host exactly once, on a real Worker against the simulator.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import type { incidentWorkflow } from '../../workflows/incident-workflow.ts';
import type { IncidentState } from '../../workflows/incident-messages.ts';
import { stateQuery } from '../../workflows/incident-messages.ts';
import { progressTable } from '../../workflows/incident-progress.ts';
import { LazarusHost, LazarusIncident, LazarusOutcome, LazarusPhase } from '../../workflows/search-attributes.ts';
import { entriesOf, useIncidentCloud } from '../incident-activities/incident-cloud.ts';
import { recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { SHARED_STORAGE_POLICY } from './policies.ts';

const cloud = useIncidentCloud({ hosts: 4, instancesPerHost: 10 });
const temporal = useIncidentTemporal(cloud);
const { address, namespace, cliPath } = inject('temporal');

/** What an operator sees without reading JSON: summary, search attributes and the progress table. */
async function expectTheWebUiToTellTheStory(handle: WorkflowHandle<typeof incidentWorkflow>, finished: IncidentState): Promise<void> {
  const described = await handle.describe();
  expect(await described.staticSummary()).toBe(`incident of host ${finished.host}`);
  expect(await described.staticDetails()).toContain('reported failed by alertmanager: node_exporter down');
  expect({
    host: described.typedSearchAttributes.get(LazarusHost), incident: described.typedSearchAttributes.get(LazarusIncident),
    phase: described.typedSearchAttributes.get(LazarusPhase), outcome: described.typedSearchAttributes.get(LazarusOutcome),
  }).toEqual({ host: finished.host, incident: finished.incidentId, phase: 'Reported', outcome: 'Recovered' });
  const { currentDetails } = await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(currentDetails).toBe(progressTable(finished));
}

describe('the incident of a host that lost power', () => {
  it('verifies every planned instance on another host, reports the skipped ones with reasons, and sends one evacuate per instance', async () => {
    const { sim } = cloud();
    const host = 'cmp-01';
    const onHost = sim.state().instances.filter((instance) => instance.host === host).map((instance) => instance.uuid);
    sim.failHost(host, 'power-loss');

    const result = await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(taskQueue, { host, reporter: 'alertmanager', reason: 'node_exporter down' }, { policy: SHARED_STORAGE_POLICY });
      const finished = await handle.result();
      expect(await handle.query(stateQuery)).toEqual(finished);
      await expectTheWebUiToTellTheStory(handle, finished);
      await recordHistoryIfAsked(handle, 'power-loss-incident');
      return finished;
    });

    expect(result).toMatchObject({ host, phase: 'Reported', outcome: 'Recovered', fencing: { proof: { host, powerState: 'Off' } } });
    expect(result.instances.map((row) => row.instanceId).sort()).toEqual([...onHost].sort());
    const planned = result.instances.filter((row) => row.progress.outcome !== 'skipped');
    const skipped = result.instances.filter((row) => row.progress.outcome === 'skipped');
    // The seeded mix holds both kinds, so each branch of the report is exercised.
    expect(planned.length).toBeGreaterThan(0);
    expect(skipped.length).toBeGreaterThan(0);
    for (const row of skipped) expect(row.progress).toMatchObject({ reason: expect.stringMatching(/\w/) as unknown });

    const now = sim.state().instances;
    for (const row of planned) {
      expect(row.progress, row.name).toMatchObject({ outcome: 'landed', host: expect.not.stringMatching(host) as unknown });
      expect(row.progress.outcome === 'landed' ? row.progress.host : undefined).toBe(now.find((i) => i.uuid === row.instanceId)?.host);
    }
    const evacuated = entriesOf(sim, 'evacuate').map((entry) => entry.instance).sort();
    expect(evacuated).toEqual(planned.map((row) => row.instanceId).sort());
    expect(sim.invariants().violations).toEqual([]);
  });

  it('adds no evacuate when an operator resets the finished incident to its first workflow task, and keeps its incident id and start', async () => {
    const { sim } = cloud();
    const host = 'cmp-02';
    sim.failHost(host, 'power-loss');
    const { client } = temporal();
    await temporal().withWorker(async (taskQueue) => {
      const first = await temporal().report(taskQueue, { host, reporter: 'alertmanager' }, { policy: SHARED_STORAGE_POLICY });
      const before = await first.result();
      const evacuates = entriesOf(sim, 'evacuate').length;
      expect(before.instances.some((row) => row.progress.outcome === 'landed')).toBe(true);

      await promisify(execFile)(cliPath, ['workflow', 'reset', '--address', address, '--namespace', namespace, '--workflow-id', first.workflowId, '--type', 'FirstWorkflowTask', '--reason', 'operator re-runs the incident']);
      const reset = client.workflow.getHandle<typeof incidentWorkflow>(first.workflowId);
      expect((await reset.describe()).runId).not.toBe(first.signaledRunId);
      const after = await reset.result();

      expect(after).toMatchObject({ incidentId: before.incidentId, incidentStartedAt: before.incidentStartedAt, outcome: 'Recovered' });
      expect(entriesOf(sim, 'evacuate')).toHaveLength(evacuates);
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
