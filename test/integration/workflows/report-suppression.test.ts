// After an operator aborts an incident, repeated alerts for that host start nothing until the alert
// resolves, an operator lifts the suppression, or its time passes; each report is answered with why
// (docs/design.md#i10-every-report-answered, docs/design.md#suppression-after-an-abort).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  abortUpdate,
  incidentWorkflowId,
  stateQuery,
} from '../../../contracts/incident-messages.ts';
import { guardStateQuery, stormGuardWorkflowId } from '../../../contracts/storm-guard-messages.ts';
import type { IntakeServer } from '../../../apps/receiver/intake-server.ts';
import {
  ALERTMANAGER_PATH,
  REPORTS_PATH,
  startIntakeServer,
} from '../../../apps/receiver/intake-server.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { alertmanagerWebhook } from '../../support/alertmanager-payloads.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { runLazarus } from '../../support/lazarus-cli.ts';

const { address, namespace } = inject('temporal');
const TOKEN = 'report-suppression-token-4c1e9b';
const [HOST = '', SHORT_HOST = ''] = failedHostsOf('report-suppression');

// Every incident is held, so each can be aborted before anything is touched.
const cloud = useIncidentCloud({
  hosts: 43,
  instancesPerHost: 1,
  stormGuardLimits: { maxIncidents: 0, maxFractionDown: 1, windowMs: 600_000 },
});
const temporal = useIncidentTemporal(cloud);

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-suppression-'));
});
afterAll(async () => {
  for (const host of [HOST, SHORT_HOST])
    await temporal()
      .client.workflow.getHandle(incidentWorkflowId(host))
      .terminate('report suppression test done')
      .catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: { workflowId?: string; runId?: string; suppressed?: string };
}

describe('reports after an operator aborted the host’s incident', () => {
  it('are answered suppressed until the alert resolves, an operator lifts it, or its time passes', async () => {
    await temporal().withWorker(async (taskQueue) => {
      const { client } = temporal();
      const receiver: IntakeServer = await startIntakeServer({
        client,
        tokens: [{ reporter: 'alertmanager/lazarus', token: TOKEN }],
        hostLabel: 'host',
        listen: { host: '127.0.0.1', port: 0 },
        incidents: { taskQueue, settings: { policy: EVERY_INSTANCE_POLICY } },
      });
      const post = async (path: string, body: unknown): Promise<Answer> => {
        const response = await fetch(`${receiver.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Answer['body'] };
      };
      const report = (host: string) =>
        post(REPORTS_PATH, { host, reporter: 'alertmanager/lazarus', reason: 'NodeDown' });
      const heldThenAborted = async (answer: Answer): Promise<void> => {
        expect(answer.status).toBe(202);
        const handle: WorkflowHandle = client.workflow.getHandle(
          answer.body.workflowId ?? '',
          answer.body.runId,
        );
        await until(
          async () =>
            (await handle.query(stateQuery)).phase === 'AwaitingApproval' ? true : undefined,
          'the incident to be held',
        );
        await handle.executeUpdate(abortUpdate, {
          args: [{ operator: 'dave', reason: 'the host is being decommissioned' }],
        });
        await handle.result();
        aborted.push(handle);
      };
      const aborted: WorkflowHandle[] = [];
      const guard = client.workflow.getHandle(stormGuardWorkflowId(taskQueue));
      try {
        await heldThenAborted(await report(HOST));
        // The abort path, suppression included, for the replay test.
        await recordHistoryIfAsked(aborted[0] ?? guard, 'aborted-incident');

        // Alertmanager repeats the alert: nothing starts, and the answer says why.
        const suppressed = await report(HOST);
        expect(suppressed).toEqual({
          status: 200,
          body: {
            host: HOST,
            suppressed: expect.stringMatching(
              /^suppressed: aborted by dave at \S+ because the host is being decommissioned; /,
            ) as unknown,
          },
        });
        const configFile = join(directory, 'lazarus.yaml');
        await writeFile(configFile, `temporal:\n  taskQueue: ${taskQueue}\n`);
        const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };
        const cli = await runLazarus(
          ['report', HOST, '--config', configFile, '--reason', 'NodeDown again'],
          env,
        );
        expect(cli.status).toBe(1);
        expect(cli.stdout + cli.stderr).toMatch(/suppressed: aborted by dave at /);
        const state = (await guard.query(guardStateQuery)) as unknown as {
          suppressions: { host: string; suppressedReports: number }[];
        };
        expect(state.suppressions).toEqual([
          expect.objectContaining({ host: HOST, suppressedReports: 2 }),
        ]);

        // The alert resolves: the next firing alert starts an incident again.
        expect(
          (await post(ALERTMANAGER_PATH, alertmanagerWebhook({ host: HOST, status: 'resolved' })))
            .status,
        ).toBe(200);
        await heldThenAborted(await report(HOST));
        expect((await report(HOST)).status).toBe(200);

        // An operator lifts it.
        await guard.executeUpdate('unsuppress', {
          args: [{ host: HOST, operator: 'erin', reason: 'the host stays after all' }],
        });
        await heldThenAborted(await report(HOST));

        // Or its time passes (here 2 s; lazarus.yaml's incident.suppressAfterAbortMinutes).
        const shortSettings = { policy: EVERY_INSTANCE_POLICY, suppressAfterAbortMs: 2_000 };
        const short = await temporal().report(
          taskQueue,
          { host: SHORT_HOST, reporter: 'consul' },
          shortSettings,
        );
        await heldThenAborted({
          status: 202,
          body: { workflowId: short.workflowId, runId: short.signaledRunId },
        });
        expect((await report(SHORT_HOST)).status).toBe(200);
        await until(
          async () => ((await report(SHORT_HOST)).status === 202 ? true : undefined),
          'the suppression to expire',
        );
      } finally {
        await receiver.close();
      }
    });
  });
});
