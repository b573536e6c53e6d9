// One instance's evacuation child workflow on a real Worker: exactly one evacuate reaches Nova
// whoever sent it (docs/design.md#i2-exactly-once), and a landing that keeps failing ends as an
// explained failure (docs/design.md#i3-nothing-silently-lost).
import { describe, expect, it } from 'vitest';
import type { EvacuationInput, EvacuationOutcome } from '../../../contracts/evacuation-messages.ts';
import { evacuationWorkflow } from '../../../workflows/evacuation-workflow.ts';
import { evacuationWorkflowId } from '../../../contracts/evacuation-messages.ts';
import type { IncidentCloud } from '../activities/incident/incident-cloud.ts';
import {
  evacuatesOf,
  fencedAndForcedDown,
  until,
  useIncidentCloud,
} from '../activities/incident/incident-cloud.ts';
import type { IncidentTemporal } from './incident-worker.ts';
import { recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';

/** The first instance of a host that failed, was fenced and forced down, as the incident hands it to its child. */
async function firstInstanceOf(
  cloud: IncidentCloud,
  host: string,
  maxAttempts = 3,
): Promise<EvacuationInput> {
  const {
    incidentStartedAt,
    instances: [instance],
  } = await fencedAndForcedDown(cloud, host);
  if (instance === undefined) throw new Error(`${host} has no instances`);
  return {
    incidentId: `incident/${host}/test`,
    incidentStartedAt,
    sourceHost: host,
    instanceId: instance.id,
    name: instance.name,
    statusBefore: instance.status,
    maxAttempts,
  };
}

function evacuate(
  temporal: IncidentTemporal,
  input: EvacuationInput,
  historyName?: string,
): Promise<EvacuationOutcome> {
  return temporal.withWorker(async (taskQueue) => {
    const handle = await temporal.client.workflow.start(evacuationWorkflow, {
      taskQueue,
      workflowId: evacuationWorkflowId(input.incidentId, input.instanceId),
      args: [input],
    });
    const outcome = await handle.result();
    if (historyName !== undefined) await recordHistoryIfAsked(handle, historyName);
    return outcome;
  });
}

describe('the evacuation of one instance', () => {
  const cloud = useIncidentCloud({ hosts: 3, instancesPerHost: 2 });
  const temporal = useIncidentTemporal(cloud);

  it('recognises an instance a human evacuated first, reports where it went and by which request, and sends nothing', async () => {
    const c = cloud();
    const input = await firstInstanceOf(c, 'cmp-01');
    await c.nova.evacuate(input.instanceId);
    const isDone = () =>
      c.sim
        .state()
        .migrations.some((m) => m.instanceUuid === input.instanceId && m.status === 'done');
    await until(() => Promise.resolve(isDone() ? true : undefined), 'the human evacuation');

    const outcome = await evacuate(temporal(), input);

    const [human, ...more] = evacuatesOf(c.sim, input.instanceId);
    expect(more).toEqual([]);
    const host = c.sim
      .state()
      .instances.find((instance) => instance.uuid === input.instanceId)?.host;
    expect(outcome).toMatchObject({
      outcome: 'landed',
      host,
      foundInNova: { requestId: human?.requestId },
    });
  });

  it('finds its own evacuate in Nova after the answer was lost, and lands it without a second one', async () => {
    const c = cloud();
    const input = await firstInstanceOf(c, 'cmp-02');
    c.sim.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: { kind: 'lost-response' },
      times: 1,
    });

    const outcome = await evacuate(temporal(), input, 'evacuation-after-lost-answer');

    const [ours, ...more] = evacuatesOf(c.sim, input.instanceId);
    expect(more).toEqual([]);
    expect(outcome).toMatchObject({
      outcome: 'landed',
      attempts: 1,
      foundInNova: { requestId: ours?.requestId },
    });
    expect(c.sim.invariants().violations).toEqual([]);
  });
});

describe('an evacuation no host can take', () => {
  const cloud = useIncidentCloud({ hosts: 2, instancesPerHost: 2 });
  const temporal = useIncidentTemporal(cloud);

  it("retries after each failed landing, then gives up after the bounded number of evacuations with Nova's reason", async () => {
    const c = cloud();
    // The only other host is forced down too, so every evacuate ends in NoValidHost.
    await fencedAndForcedDown(c, 'cmp-02');
    const input = await firstInstanceOf(c, 'cmp-01', 2);

    const outcome = await evacuate(temporal(), input);

    expect(outcome).toMatchObject({
      outcome: 'failed',
      attempts: 2,
      reason: expect.stringMatching(
        /No valid host was found.*gave up after 2 evacuations/,
      ) as unknown,
    });
    const migrations = c.sim.state().migrations.filter((m) => m.instanceUuid === input.instanceId);
    expect(evacuatesOf(c.sim, input.instanceId)).toHaveLength(2);
    expect(migrations.map((m) => m.status)).toEqual(['error', 'error']);
  });
});
