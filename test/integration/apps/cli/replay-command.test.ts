// `lazarus replay`, run as its own process against the test run's dev server: an incident a real
// worker ran on the simulator (fenced, evacuated, now waiting for re-admission) and its closed
// evacuations replay on this build's workflow code; on a build whose incident schedules another
// activity first, the command names the incident's run and exits 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import type { ReplayedRun } from '../../../../apps/cli/commands/replay-command.ts';
import { useIncidentCloud } from '../../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from '../../workflows/incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from '../../workflows/policies.ts';
import { runLazarus } from '../../../support/lazarus-cli.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };

const [HOST = ''] = failedHostsOf('replay-command');
const CHANGED_WORKFLOWS = join(import.meta.dirname, 'changed-workflows', 'index.ts');

// As many hosts as HOST's number (cmp-NN), wherever this file's line stands in failed-hosts.ts.
const cloud = useIncidentCloud({ hosts: Number(HOST.slice('cmp-'.length)), instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-replay-'));
});
afterAll(async () => {
  await temporal()
    .client.workflow.getHandle(incidentWorkflowId(HOST))
    .terminate('replay command test done')
    .catch(() => undefined);
  await rm(directory, { recursive: true, force: true });
});

interface ReplayJson {
  taskQueue: string;
  runs: ReplayedRun[];
  failed: number;
}

describe('lazarus replay', () => {
  it("replays an incident in flight and its evacuations on this build, and names the incident's run that a build scheduling another activity first would break, exiting 1", async () => {
    cloud().sim.failHost(HOST, 'power-loss');
    await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host: HOST, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY, isAdmissionRequired: false },
      );
      const waiting = await evacuationsEnded(handle);
      expect(waiting.phase).toBe('AwaitingReadmission');
      const { runId } = await handle.describe();
      const evacuations = waiting.instances.map(
        (row) => `evacuation/${waiting.incidentId}/${row.instanceId}`,
      );
      expect(evacuations).toHaveLength(2);
      const config = join(directory, 'lazarus.yaml');
      await writeFile(config, `temporal:\n  taskQueue: ${taskQueue}\n`);

      const passed = await runLazarus(['replay', '--config', config], env);
      expect(passed).toMatchObject({ status: 0, stderr: '' });
      const lines = passed.stdout.trimEnd().split('\n');
      // The count is of the history as fetched; the incident may have moved on since.
      expect(lines).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^ok {6}incident/${HOST} run ${runId} \\(incidentWorkflow, RUNNING, \\d+ events\\)$`,
          ),
        ),
      );
      for (const workflowId of evacuations)
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(`^ok {6}${workflowId} run [\\w-]+ \\(evacuationWorkflow, `),
          ),
        );
      expect(lines.at(-1)).toMatch(
        new RegExp(
          `^${lines.length - 1} run\\(s\\) of task queue ${taskQueue} \\(open or closed since .*\\) replay on this build \\(0\\.1\\.0\\+[0-9a-f]{7,}(\\.dirty)?\\)$`,
        ),
      );

      const broken = await runLazarus(
        ['replay', '--config', config, '--workflows', CHANGED_WORKFLOWS],
        env,
      );
      expect(broken).toMatchObject({ status: 1, stderr: '' });
      // The recorded incident's first command set its phase's search attribute; the changed code
      // schedules its activity there instead.
      expect(broken.stdout).toMatch(
        new RegExp(
          `^FAILS {3}incident/${HOST} run ${runId} \\(incidentWorkflow, RUNNING, \\d+ events\\): nondeterminism: Activity machine does not handle this event: HistoryEvent\\(id: \\d+, UpsertWorkflowSearchAttributes\\)$`,
          'm',
        ),
      );
      expect(broken.stdout).toMatch(
        /^1 of \d+ run\(s\) .* would fail on .*changed-workflows.* do not deploy it/m,
      );

      const asJson = JSON.parse(
        (
          await runLazarus(
            ['replay', '--config', config, '--workflows', CHANGED_WORKFLOWS, '--json'],
            env,
          )
        ).stdout,
      ) as ReplayJson;
      expect(asJson).toMatchObject({ taskQueue, failed: 1 });
      expect(asJson.runs.filter((run) => run.failure !== undefined)).toEqual([
        expect.objectContaining({
          workflowId: `incident/${HOST}`,
          runId,
          failure: { kind: 'nondeterminism', message: expect.any(String) as unknown },
        }),
      ]);
      expect(asJson.runs.map((run) => run.workflowId)).toEqual(expect.arrayContaining(evacuations));
    });
  }, 180_000);

  it('refuses an age it cannot read or workflow code that does not exist with exit 2, before connecting', async () => {
    const unreachable = { TEMPORAL_ADDRESS: '127.0.0.1:1' };
    expect(await runLazarus(['replay', '--closed-since', 'a week'], unreachable)).toMatchObject({
      status: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^lazarus replay: --closed-since a week is not an age; give minutes, hours or days such as 30m, 12h, 7d/,
      ) as unknown,
    });
    expect(
      await runLazarus(['replay', '--workflows', join(directory, 'nowhere.ts')], unreachable),
    ).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('nowhere.ts does not exist') as unknown,
    });
    expect(await runLazarus(['replay', '--since', '7d'], unreachable)).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("Unknown option '--since'") as unknown,
    });
  });

  it('says it cannot reach Temporal, in one line without a stack trace, and exits 1', async () => {
    const run = await runLazarus(['replay'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run).toMatchObject({ status: 1, stdout: '' });
    expect(run.stderr).toMatch(
      /^lazarus replay: cannot reach Temporal at 127\.0\.0\.1:1 \(.*\); check that it runs and that TEMPORAL_ADDRESS .* points at it\n$/,
    );
  });
});
