// A worker SIGKILLed mid-evacuation costs seconds, not a timeout (docs/design.md#a-worker-dying-mid-evacuation):
// worker processes on the test run's dev server, the first of which SIGKILLs itself right after
// Nova accepted its first evacuate, before it could report it. The evacuate it lost is retried on
// the next worker once its heartbeat timeout expired, not its one-minute startToClose, and the
// retry finds that evacuate in Nova instead of sending another.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../../../apps/worker/create-worker.ts';
import { WorkerFleet } from '../../../../chaos/worker-fleet.ts';
import { formatTimeline, Timeline } from '../../../../chaos/timeline.ts';
import { BUNDLE_VARIABLE, READY_LINE } from '../../../../chaos/worker-protocol.ts';
import { evacuationWorkflowId } from '../../../../contracts/evacuation-messages.ts';
import type { IncidentState } from '../../../../contracts/incident-messages.ts';
import { incidentWorkflowId, stateQuery } from '../../../../contracts/incident-messages.ts';
import { reportHostFailure } from '../../../../contracts/incident-start.ts';
import { writeLazarusConfigForSimulator } from '../../../../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';
import { cloudName } from '../../../../simulator/clouds-yaml.ts';
import { createRandom } from '../../../../simulator/random.ts';
import type { incidentWorkflow } from '../../../../workflows/incident-workflow.ts';
import { evacuatesOf, useIncidentCloud } from '../../activities/incident/incident-cloud.ts';
import { quietBundler } from '../../workflows/incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from '../../workflows/policies.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
const [HOST = ''] = failedHostsOf('worker-killed-mid-evacuation');
const cloud = useIncidentCloud({ hosts: Number(HOST.slice('cmp-'.length)), instancesPerHost: 3 });

const { EventType, TimeoutType } = proto.api.enums.v1;

let directory: string;
let connection: Connection;
let client: Client;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-worker-killed-'));
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace });
});
afterAll(async () => {
  await client.workflow
    .getHandle(incidentWorkflowId(HOST))
    .terminate('worker-killed-mid-evacuation test done')
    .catch(() => undefined);
  await connection.close();
  await rm(directory, { recursive: true, force: true });
});

/** How evacuateInstance's attempt that completed began: its number, why the one before it ended, and who ran it. */
async function evacuateAttemptOf(workflowId: string) {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = (events ?? []).find(
    (event) =>
      event.activityTaskScheduledEventAttributes?.activityType?.name === 'evacuateInstance',
  );
  const started = (events ?? []).find(
    (event) =>
      event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
      String(event.activityTaskStartedEventAttributes?.scheduledEventId) ===
        String(scheduled?.eventId),
  )?.activityTaskStartedEventAttributes;
  return {
    attempt: started?.attempt ?? 0,
    previousTimeout: started?.lastFailure?.timeoutFailureInfo?.timeoutType ?? undefined,
    identity: started?.identity ?? '',
  };
}

describe('a worker SIGKILLed mid-evacuation', () => {
  it(
    'has its lost evacuate retried on another worker after the heartbeat timeout, and Nova accepts one evacuate per instance',
    { timeout: 240_000 },
    async () => {
      const { sim } = cloud();
      const taskQueue = `worker-killed-${process.pid}`;
      const { configPath, env } = await writeLazarusConfigForSimulator(
        { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
        directory,
      );
      const config = parseDocument(await readFile(configPath, 'utf8'));
      config.setIn(['temporal', 'taskQueue'], taskQueue);
      await writeFile(configPath, config.toString());
      const bundlePath = join(directory, 'workflow-bundle.js');
      await writeFile(
        bundlePath,
        (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler })).code,
      );
      const timeline = new Timeline();
      const fleet = new WorkerFleet({
        configPath,
        logDirectory: directory,
        timeline,
        random: createRandom(17),
        env: {
          ...process.env,
          ...env,
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: namespace,
          [BUNDLE_VARIABLE]: bundlePath,
        },
      });
      try {
        // The first worker dies once Nova accepted its first evacuate; the fleet starts the next.
        await fleet.start({ activityType: 'evacuateInstance', moment: 'after', occurrence: 1 });
        sim.failHost(HOST, 'power-loss');
        const incident = await client.workflow.signalWithStart<
          typeof incidentWorkflow,
          [{ reporter: string }]
        >('incidentWorkflow', {
          taskQueue,
          ...reportHostFailure(
            { host: HOST, reporter: 'worker-killed-mid-evacuation' },
            { policy: EVERY_INSTANCE_POLICY, isAdmissionRequired: false },
          ),
        });
        // Long enough for a retry after the lost evacuates' one-minute startToClose too, so that
        // the history, not the clock, tells which timeout brought it.
        const state: IncidentState = await pollUntil(
          'every instance to land after the worker died',
          async () => {
            const current = await incident.query(stateQuery);
            const isDone =
              current.instances.length > 0 &&
              current.instances.every((row) => row.progress.outcome === 'landed');
            return isDone ? current : undefined;
          },
          {
            timeoutMs: 150_000,
            intervalMs: 250,
            onTimeout: () =>
              `the instances did not all land within 150 s of the report:\n${formatTimeline(timeline.entries)}`,
          },
        );

        expect(fleet.boundaryKills).toBe(1);
        const attempts = await Promise.all(
          state.instances.map((row) =>
            evacuateAttemptOf(evacuationWorkflowId(state.incidentId, row.instanceId)),
          ),
        );
        // Every evacuate the killed worker had in flight was retried, each after its heartbeat
        // timeout, in another process (identities are <pid>@<host>).
        const killed = new RegExp(`${READY_LINE} (\\d+)`).exec(
          await readFile(join(directory, 'worker-1.log'), 'utf8'),
        )?.[1];
        expect(killed).toBeDefined();
        const retried = attempts.filter((attempt) => attempt.attempt > 1);
        expect(retried.length).toBeGreaterThan(0);
        for (const attempt of retried) {
          expect(attempt.previousTimeout).toBe(TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
          expect(attempt.identity.startsWith(`${killed}@`)).toBe(false);
        }
        for (const row of state.instances) expect(evacuatesOf(sim, row.instanceId)).toHaveLength(1);
        expect(sim.invariants().violations).toEqual([]);
      } finally {
        await fleet.stop();
      }
    },
  );
});
