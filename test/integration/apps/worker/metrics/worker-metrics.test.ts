// `npm run worker -- --metrics HOST:PORT`: one Prometheus endpoint with the SDK's metrics and
// Lazarus's own, derived from this deployment's incidents, after a real incident on the simulator.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeLazarusConfigForSimulator } from '../../../../../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { startBmcFleet } from '../../../../../simulator/bmc/index.ts';
import { cloudName } from '../../../../../simulator/clouds-yaml.ts';
import { startSimulator, type Simulator } from '../../../../../simulator/simulator.ts';
import { incidentWorkflowId } from '../../../../../contracts/incident-messages.ts';
import { sendHostReport } from '../../../../../client/send-host-report.ts';
import { EVERY_INSTANCE_POLICY } from '../../../workflows/policies.ts';
import { withMetricsWorker } from '../../../../support/metrics-worker.ts';
import { pollUntil } from '../../../../../lib/poll-until.ts';
import { failedHostsOf } from '../../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
// A host no other test file fails (incident/<host> is shared by every file on the dev server).
const [HOST = ''] = failedHostsOf('worker-metrics');
const TASK_QUEUE = `metrics-${process.pid}`;

describe("the worker's metrics endpoint", () => {
  let sim: Simulator;
  let directory: string;
  let connection: Connection;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-metrics-'));
    sim = await startSimulator({
      hosts: 24,
      instancesPerHost: 2,
      timeScale: 10,
      startBmcFleet,
      bmc: { ipmiHosts: 0 },
    });
    connection = await Connection.connect({ address });
  });
  afterAll(async () => {
    await new Client({ connection, namespace }).workflow
      .getHandle(incidentWorkflowId(HOST))
      .terminate('metrics test done')
      .catch(() => undefined);
    await connection.close();
    await sim.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it("serves the SDK's metrics and the incident's phase, fencing, evacuations and time to the last landing", async () => {
    const { configPath, env } = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
      directory,
    );
    await appendFile(
      configPath,
      `temporal:\n  taskQueue: ${TASK_QUEUE}\nincident:\n  protect: all\n  imageBackedOnLocalDisk: evacuate\n`,
    );
    await withMetricsWorker({ configPath, env }, { address, namespace }, async (scrape) => {
      sim.failHost(HOST, 'power-loss');
      await sendHostReport(
        new Client({ connection, namespace }),
        { host: HOST, reporter: 'metrics-test' },
        { taskQueue: TASK_QUEUE, settings: { policy: EVERY_INSTANCE_POLICY } },
      );

      let last = '';
      const metrics = await pollUntil(
        'the recovery to show in the metrics',
        async () => {
          last = await scrape();
          return /lazarus_report_to_last_landing_seconds_count\S* 1$/m.test(last)
            ? last
            : undefined;
        },
        {
          timeoutMs: 90_000,
          intervalMs: 1_000,
          onTimeout: () =>
            `no recovery in the metrics:\n${last
              .split('\n')
              .filter((line) => line.includes('lazarus'))
              .join('\n')}`,
        },
      );
      expect(metrics).toMatch(
        new RegExp(
          `^temporal_workflow_completed\\{.*task_queue="${TASK_QUEUE}",workflow_type="evacuationWorkflow"\\} 2$`,
          'm',
        ),
      );
      expect(metrics).toMatch(
        /^lazarus_incidents\{outcome="Recovered",phase="AwaitingReadmission"\} 1$/m,
      );
      expect(metrics).toMatch(
        /^lazarus_incidents_awaiting_operator\{phase="AwaitingReadmission"\} 1$/m,
      );
      expect(metrics).toMatch(
        /^lazarus_incidents_awaiting_operator_oldest_seconds\{phase="AwaitingReadmission"\} \d+(\.\d+)?$/m,
      );
      expect(metrics).toMatch(/^lazarus_evacuations\{outcome="landed"\} 2$/m);
      expect(metrics).toMatch(/^lazarus_fencing_duration_seconds_count\{protocol="redfish"\} 1$/m);
      const [, toLastLanding] =
        /^lazarus_report_to_last_landing_seconds_sum (\S+)$/m.exec(metrics) ?? [];
      expect(Number(toLastLanding)).toBeGreaterThan(0);
    });
  }, 240_000);
});
