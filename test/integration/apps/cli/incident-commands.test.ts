// The incident commands of `lazarus`, each run as its own process against the test run's dev server
// and an incident a real worker runs against the simulator: list, show, the operator's decisions
// (refused with the reason when they do not apply), and reporting a host.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { incidentWorkflowId, stateQuery } from '../../../../contracts/incident-messages.ts';
import type { IncidentState } from '../../../../contracts/incident-messages.ts';
import { isRecoveryFinished } from '../../../../apps/cli/commands/incident-tables.ts';
import { until, useIncidentCloud } from '../../activities/incident/incident-cloud.ts';
import { useIncidentTemporal } from '../../workflows/incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from '../../workflows/policies.ts';
import { reportsInHistory } from '../../../support/incident-history.ts';
import { runLazarus } from '../../../support/lazarus-cli.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };

// A host no other test file reports (failed-hosts.ts); REPORTED_HOST is not in any cloud.
const [HOST = ''] = failedHostsOf('incident-commands');
const REPORTED_HOST = 'cli-report-01';

const cloud = useIncidentCloud({ hosts: 20, instancesPerHost: 3 });
const temporal = useIncidentTemporal(cloud);

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-cli-'));
});
afterAll(async () => {
  for (const host of [HOST, REPORTED_HOST]) {
    await temporal()
      .client.workflow.getHandle(incidentWorkflowId(host))
      .terminate('incident commands test done')
      .catch(() => undefined);
  }
  await rm(directory, { recursive: true, force: true });
});

describe('the incident commands of lazarus', () => {
  it('list an incident waiting for an operator, refuse decisions that do not apply, take a confirmed fencing, and show where every instance went', async () => {
    const { sim } = cloud();
    sim.failHost(HOST, 'compute-crash');
    sim.setBmcFaults(HOST, { ignorePowerOff: true });
    await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host: HOST, reporter: 'consul' },
        { policy: EVERY_INSTANCE_POLICY, isAdmissionRequired: false },
      );
      await until(
        async () =>
          (await handle.query(stateQuery)).phase === 'FencingUnproven' ? true : undefined,
        'fencing to be unproven',
      );

      const listed = await runLazarus(['incidents'], env);
      expect(listed).toMatchObject({ status: 0, stderr: '' });
      expect(listed.stdout).toMatch(/^HOST +PHASE +INSTANCES +AGE +WAITING FOR$/m);
      expect(listed.stdout).toMatch(
        new RegExp(`^${HOST} +FencingUnproven +0/0 +\\d+s +an operator: fencing host ${HOST}`, 'm'),
      );
      const asJson = JSON.parse((await runLazarus(['incidents', '--json'], env)).stdout) as {
        host: string;
        state: IncidentState;
      }[];
      expect(asJson.find((incident) => incident.host === HOST)?.state.phase).toBe(
        'FencingUnproven',
      );

      expect(await runLazarus(['confirm-fenced', HOST, '--operator', 'alice'], env)).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('--reason TEXT is required') as unknown,
      });
      const readmit = await runLazarus(
        ['readmit', HOST, '--operator', 'alice', '--reason', 'repaired'],
        env,
      );
      expect(readmit).toMatchObject({
        status: 1,
        stdout: '',
        stderr: expect.stringMatching(/^lazarus readmit: refused: /) as unknown,
      });

      // Manual fencing: the operator cuts the power without the BMC (at the PDU), then says so.
      sim.setPower(HOST, 'Off');
      const confirmed = await runLazarus(
        ['confirm-fenced', HOST, '--operator', 'alice', '--reason', 'power cut at the PDU'],
        env,
      );
      expect(confirmed).toMatchObject({
        status: 0,
        stdout: `incident/${HOST}: confirm-fenced accepted from alice; phase now ForcingDown\n`,
      });
      const recovered = await until(async () => {
        const state = await handle.query(stateQuery);
        return isRecoveryFinished(state) ? state : undefined;
      }, 'every instance to be evacuated');

      const shown = await runLazarus(['show', HOST], env);
      expect(shown.status).toBe(0);
      expect(shown.stdout).toContain('fencing   confirmed by alice');
      expect(recovered.instances).toHaveLength(3);
      for (const row of recovered.instances) {
        const landedOn = row.progress.outcome === 'landed' ? row.progress.host : 'not landed';
        expect(shown.stdout).toMatch(
          new RegExp(
            `^${row.instanceId} +${row.name} +landed +${landedOn} +verified after \\d+ s, 1 evacuation$`,
            'm',
          ),
        );
      }

      // Repaired, but Nova is away: readmit is answered at once with what the incident waits for.
      sim.setPower(HOST, 'On');
      sim.addFault({
        service: 'nova',
        endpoint: 'GET /os-services',
        fault: { kind: 'status', status: 503 },
      });
      const waiting = await runLazarus(
        ['readmit', HOST, '--operator', 'alice', '--reason', 'repaired'],
        env,
      );
      expect(waiting).toMatchObject({ status: 0, stderr: '' });
      expect(waiting.stdout).toMatch(
        new RegExp(
          `^incident/${HOST}: readmit accepted from alice; phase now Readmitting; waiting to look at the nova-compute service of ${HOST} before re-admitting it: Nova or Keystone unreachable since .*; next try .*, or now with: lazarus retry ${HOST}\\n$`,
        ),
      );
      // Asked while Nova is still away, so the wait is there to cut short whatever the timing; it
      // fails again, and the next try after Nova is back re-admits the host.
      expect(await runLazarus(['retry', HOST], env)).toMatchObject({ status: 0 });
      sim.clearFaults();
      expect(await handle.result()).toMatchObject({ phase: 'Readmitted' });
    });
  }, 150_000);

  it('say which incident does not exist, and exit 1', async () => {
    expect(await runLazarus(['show', 'no-such-host'], env)).toMatchObject({
      status: 1,
      stderr:
        'lazarus show: no incident incident/no-such-host found; lazarus incidents lists the open ones\n',
    });
  });

  it('say a namespace Temporal does not know may be one its cluster cannot read now, and exit 1', async () => {
    // A cluster whose database restarts answers "Namespace not found" for one that exists.
    const shown = await runLazarus(['show', HOST], {
      ...env,
      TEMPORAL_NAMESPACE: 'no-such-namespace',
    });
    expect(shown).toMatchObject({ status: 1 });
    expect(shown.stderr).toBe(
      "lazarus show: Temporal answers that namespace 'no-such-namespace' does not exist; if it does, the Temporal cluster cannot read it now (its database restarting or unreachable): try again, and if it persists check the namespace (temporal.namespace in lazarus.yaml, or TEMPORAL_NAMESPACE) and the cluster's services\n",
    );
  });

  it('report a host failure on the configured task queue and say how to follow the incident', async () => {
    const config = join(directory, 'lazarus.yaml');
    await writeFile(config, 'temporal:\n  taskQueue: cli-report-test\n');
    const reported = await runLazarus(
      [
        'report',
        REPORTED_HOST,
        '--reason',
        'fans stopped',
        '--reporter',
        'dc-ops',
        '--config',
        config,
      ],
      env,
    );
    expect(reported).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(
        new RegExp(
          `^reported ${REPORTED_HOST}: incident incident/${REPORTED_HOST} \\(run [\\w-]+\\); follow it with: lazarus show ${REPORTED_HOST}\\n$`,
        ),
      ) as unknown,
    });
    expect(await reportsInHistory(temporal().client, REPORTED_HOST)).toEqual([
      { reporter: 'dc-ops', reason: 'fans stopped' },
    ]);
    expect(
      (await temporal().client.workflow.getHandle(incidentWorkflowId(REPORTED_HOST)).describe())
        .taskQueue,
    ).toBe('cli-report-test');
  });
});
