// A rolling upgrade with worker versioning on the test run's dev server, as docs/operations.md#upgrades
// tells an operator to do it: an incident waits on build A for an operator; build B's worker starts
// beside A and takes nothing; B is made current with the Temporal CLI; A's worker stops; the
// operator's decision is then served by B, which fences, evacuates and re-admits to the end. And the
// worker process with versioning on says whether its version takes tasks, and serves once it does.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { WorkerDeploymentVersion } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLazarusWorker, WORKFLOWS_PATH } from '../../../../apps/worker/create-worker.ts';
import type { LazarusWorker } from '../../../../apps/worker/create-worker.ts';
import { versionNotice } from '../../../../apps/worker/deployment-version.ts';
import {
  confirmFencedUpdate,
  incidentWorkflowId,
  readmitUpdate,
  stateQuery,
} from '../../../../contracts/incident-messages.ts';
import { reportHostFailure } from '../../../../contracts/incident-start.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';
import { incidentWorkflow } from '../../../../workflows/incident-workflow.ts';
import type { workerHealthCheck } from '../../../../workflows/worker-health-check.ts';
import { entriesOf, until, useIncidentCloud } from '../../activities/incident/incident-cloud.ts';
import { quietBundler } from '../../workflows/incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from '../../workflows/policies.ts';
import { stopGracefully, waitForOutput } from '../../../support/child-output.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';
import { REPO_ROOT, WORKER_ENTRY } from '../../../support/repository.ts';

const { address, namespace, cliPath } = inject('temporal');
const [HOST = ''] = failedHostsOf('rolling-upgrade');

// As many hosts as HOST's number (cmp-NN), wherever this file's line stands in failed-hosts.ts.
const cloud = useIncidentCloud({ hosts: Number(HOST.slice('cmp-'.length)), instancesPerHost: 2 });

let bundle: WorkflowBundleWithSourceMap;
let connection: Connection;
let workerConnection: NativeConnection;
let client: Client;
let directory: string;
beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler });
  connection = await Connection.connect({ address });
  workerConnection = await NativeConnection.connect({ address });
  client = new Client({ connection, namespace });
  directory = await mkdtemp(join(tmpdir(), 'lazarus-rolling-upgrade-'));
});
afterAll(async () => {
  await client.workflow
    .getHandle(incidentWorkflowId(HOST))
    .terminate('rolling upgrade test done')
    .catch(() => undefined);
  await workerConnection.close();
  await connection.close();
  await rm(directory, { recursive: true, force: true });
});

/**
 * What the operator types. The server accepts it once it has seen the version's pollers on every
 * task queue of the deployment, a moment after the worker starts, so it is retried until then.
 */
async function setCurrentVersion(version: WorkerDeploymentVersion): Promise<void> {
  let refusal = '';
  await pollUntil(
    `version ${version.buildId} to be made current`,
    async () => {
      try {
        await promisify(execFile)(cliPath, [
          'worker',
          'deployment',
          'set-current-version',
          '--address',
          address,
          '--namespace',
          namespace,
          '--deployment-name',
          version.deploymentName,
          '--build-id',
          version.buildId,
          '--yes',
        ]);
        return true;
      } catch (error) {
        refusal = error instanceof Error ? error.message : String(error);
        return undefined;
      }
    },
    { timeoutMs: 30_000, intervalMs: 500, onTimeout: () => refusal },
  );
}

const { EventType } = proto.api.enums.v1;

/** The build that completed each workflow task of `workflowId`'s current run, in order. */
async function buildsOfWorkflowTasks(workflowId: string): Promise<string[]> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? [])
    .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((event) => event.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? '');
}

async function workflowTaskFailures(workflowId: string): Promise<number> {
  const { events } = await client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).filter(
    (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  ).length;
}

describe('a rolling upgrade with worker versioning', () => {
  it('moves an incident waiting for an operator on build A to build B once B is current and A stopped, and B fences, evacuates and re-admits it', async () => {
    const { sim } = cloud();
    const deploymentName = `lazarus-rolling-${process.pid}`;
    const taskQueue = `rolling-upgrade-${process.pid}`;
    const buildA = { deploymentName, buildId: '0.1.0+aaaaaaa' };
    const buildB = { deploymentName, buildId: '0.1.0+bbbbbbb' };
    const workerOf = (version: WorkerDeploymentVersion): Promise<LazarusWorker> =>
      createLazarusWorker({
        connection: workerConnection,
        namespace,
        taskQueue,
        workflowBundle: bundle,
        dependencies: cloud().dependencies,
        version,
      });

    const workerA = await workerOf(buildA);
    const runningA = workerA.run();
    let runningB: Promise<void> | undefined;
    let workerB: LazarusWorker | undefined;
    try {
      await setCurrentVersion(buildA);
      sim.failHost(HOST, 'compute-crash');
      sim.setBmcFaults(HOST, { ignorePowerOff: true });
      const handle = await client.workflow.signalWithStart(incidentWorkflow, {
        taskQueue,
        ...reportHostFailure(
          { host: HOST, reporter: 'alertmanager' },
          { policy: EVERY_INSTANCE_POLICY, isAdmissionRequired: false },
        ),
      });
      await until(
        async () =>
          (await handle.query(stateQuery)).phase === 'FencingUnproven' ? true : undefined,
        'fencing to be unproven on build A',
        30_000,
      );

      workerB = await workerOf(buildB);
      runningB = workerB.run();
      // A health checker repeats its report while B polls beside A: A, still current, takes it.
      const tasksBefore = (await buildsOfWorkflowTasks(handle.workflowId)).length;
      await client.workflow.signalWithStart(incidentWorkflow, {
        taskQueue,
        ...reportHostFailure({ host: HOST, reporter: 'consul' }),
      });
      const whileBPolls = await until(async () => {
        const builds = await buildsOfWorkflowTasks(handle.workflowId);
        return builds.length > tasksBefore ? builds : undefined;
      }, 'the repeated report to be taken');
      expect(whileBPolls.at(-1)).toBe(buildA.buildId);
      expect(await versionNotice(workerConnection, namespace, buildB)).toContain(
        `is not current (current: ${buildA.buildId}), so it takes no task; once lazarus replay passes on this build, make it current with: temporal worker deployment set-current-version --deployment-name ${deploymentName} --build-id ${buildB.buildId}`,
      );
      await setCurrentVersion(buildB);
      expect(await versionNotice(workerConnection, namespace, buildB)).toMatch(
        /is current: it takes tasks$/,
      );
      workerA.shutdown();
      await runningA;

      // The operator powers the host off by other means and says so: served by B alone. Were the
      // incident pinned to A, whose worker is gone, the Update would wait for ever: hence a deadline.
      sim.setPower(HOST, 'Off');
      expect(
        await connection.withDeadline(Date.now() + 30_000, () =>
          handle.executeUpdate(confirmFencedUpdate, {
            args: [{ operator: 'alice', reason: 'power cut at the PDU' }],
          }),
        ),
      ).toBe('ForcingDown');
      const waiting = await until(
        async () => {
          const state = await handle.query(stateQuery);
          return state.phase === 'AwaitingReadmission' ? state : undefined;
        },
        'the evacuations to end on build B',
        30_000,
      );
      expect(waiting.instances.map((row) => row.progress.outcome)).toEqual(['landed', 'landed']);
      sim.setPower(HOST, 'On');
      expect(
        await handle.executeUpdate(readmitUpdate, {
          args: [{ operator: 'alice', reason: 'repaired' }],
        }),
      ).toBe('Readmitted');
      expect(await handle.result()).toMatchObject({ phase: 'Readmitted', outcome: 'Recovered' });

      // A ran the incident up to the operator's wait, B everything after it; nothing failed to replay.
      const builds = await buildsOfWorkflowTasks(handle.workflowId);
      const firstOfB = builds.indexOf(buildB.buildId);
      expect(firstOfB).toBeGreaterThan(0);
      expect(new Set(builds.slice(0, firstOfB))).toEqual(new Set([buildA.buildId]));
      expect(new Set(builds.slice(firstOfB))).toEqual(new Set([buildB.buildId]));
      expect(await workflowTaskFailures(handle.workflowId)).toBe(0);
      for (const row of waiting.instances) {
        const evacuation = `evacuation/${waiting.incidentId}/${row.instanceId}`;
        expect(new Set(await buildsOfWorkflowTasks(evacuation))).toEqual(new Set([buildB.buildId]));
      }
      expect(entriesOf(sim, 'evacuate').filter((entry) => entry.sourceHost === HOST)).toHaveLength(
        2,
      );
      expect(sim.invariants().violations).toEqual([]);
    } finally {
      workerA.shutdown();
      workerB?.shutdown();
      await Promise.allSettled([runningA, runningB]);
    }
  }, 120_000);

  it('has a worker process with versioning on say that its version takes no task, take none, and serve once an operator makes it current', async () => {
    const taskQueue = `versioned-worker-process-${process.pid}`;
    const version = { deploymentName: `lazarus-process-${process.pid}`, buildId: '0.1.0+ccccccc' };
    const configPath = join(directory, 'lazarus.yaml');
    await writeFile(
      configPath,
      `temporal:\n  taskQueue: ${taskQueue}\n  versioning:\n    enabled: true\n    deploymentName: ${version.deploymentName}\n`,
    );
    const worker = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER_ENTRY, '--config', configPath],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: namespace,
          LAZARUS_BUILD_ID: version.buildId,
        },
      },
    );
    try {
      await waitForOutput(
        worker,
        new RegExp(
          `^lazarus worker: version ${version.buildId.replace('+', '\\+')} of worker deployment ${version.deploymentName} is not current \\(current: none\\), so it takes no task; once lazarus replay passes on this build, make it current with: temporal worker deployment set-current-version --deployment-name ${version.deploymentName} --build-id ${version.buildId.replace('+', '\\+')}$`,
          'm',
        ),
      );
      const check = await client.workflow.start<typeof workerHealthCheck>('workerHealthCheck', {
        taskQueue,
        workflowId: `worker-health-check/${taskQueue}`,
      });
      // Two seconds is ample for an idle worker to start a task (tens of milliseconds otherwise).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await buildsOfWorkflowTasks(check.workflowId)).toEqual([]);
      await setCurrentVersion(version);
      expect((await check.result()).worker).toMatchObject({ pid: worker.pid, taskQueue });
      expect(new Set(await buildsOfWorkflowTasks(check.workflowId))).toEqual(
        new Set([version.buildId]),
      );
      expect(await stopGracefully(worker, /^lazarus worker: stopped$/m)).toBe(0);
    } finally {
      worker.kill('SIGKILL');
    }
  });
});
