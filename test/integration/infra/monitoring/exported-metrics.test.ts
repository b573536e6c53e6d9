// Every metric the alerting rules and the Grafana dashboard of infra/monitoring/ read, and every
// label they select it by, is one the worker really exports: `npm run worker -- --metrics` is
// scraped after incidents that produce each series (a recovery with a failed instance, an incident
// the storm guard holds, Nova's and the BMC's answers), and the names are compared as Prometheus
// would see them (a histogram's _bucket, _sum and _count).
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeLazarusConfigForSimulator } from '../../../../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import { cloudName } from '../../../../simulator/clouds-yaml.ts';
import { startSimulator, type Simulator } from '../../../../simulator/simulator.ts';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import { stormGuardWorkflowId } from '../../../../contracts/storm-guard-messages.ts';
import { sendHostReport } from '../../../../client/send-host-report.ts';
import { EVERY_INSTANCE_POLICY } from '../../workflows/policies.ts';
import { withMetricsWorker } from '../../../support/metrics-worker.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';
import { alertQueries, dashboardQueries, type Query } from '../../../support/monitoring-files.ts';
import { selectorsOf } from '../../../support/promql-selectors.ts';

const { address, namespace } = inject('temporal');
const HOSTS = failedHostsOf('monitoring-metrics');
const TASK_QUEUE = `monitoring-${process.pid}`;
/** Labels Prometheus adds to every series it scrapes, which the worker does not export. */
const TARGET_LABELS = ['instance', 'job'];

/** Each metric of a Prometheus text exposition, with the labels its samples carry. */
function exportedMetrics(exposition: string): Map<string, Set<string>> {
  const metrics = new Map<string, Set<string>>();
  for (const line of exposition.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (sample === null) continue;
    const [, name = '', labels = ''] = sample;
    const names = metrics.get(name) ?? new Set<string>();
    for (const [, label = ''] of labels.matchAll(/(\w+)="(?:[^"\\]|\\.)*"/g)) names.add(label);
    metrics.set(name, names);
  }
  return metrics;
}

/** What the queries read that the worker does not export: one line each, saying where. */
function unexported(queries: Query[], exported: Map<string, Set<string>>): string[] {
  return queries.flatMap(({ where, expr }) =>
    selectorsOf(expr).flatMap(({ metric, labels }) => {
      const known = exported.get(metric);
      if (known === undefined)
        return [`${where} reads ${metric}, which the worker does not export`];
      return labels
        .filter((label) => !known.has(label) && !TARGET_LABELS.includes(label))
        .map((label) => `${where} selects ${metric} by ${label}, a label it does not have`);
    }),
  );
}

describe('the monitoring files against what the worker exports', () => {
  let sim: Simulator;
  let directory: string;
  let connection: Connection;
  let exported: Map<string, Set<string>>;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-monitoring-'));
    sim = await startSimulator({
      hosts: Math.max(...HOSTS.map((host) => Number(host.slice('cmp-'.length)))),
      instancesPerHost: 2,
      timeScale: 10,
      startBmcFleet,
      bmc: { ipmiHosts: 0 },
    });
    connection = await Connection.connect({ address });
    const { configPath, env } = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
      directory,
    );
    // One incident at a time: the second host's waits for an operator.
    await appendFile(
      configPath,
      `temporal:\n  taskQueue: ${TASK_QUEUE}\nincident:\n  protect: all\n  imageBackedOnLocalDisk: evacuate\nstormGuard:\n  maxIncidents: 1\n  windowMinutes: 60\n`,
    );
    exported = await withMetricsWorker(
      { configPath, env },
      { address, namespace },
      async (scrape) => {
        // The first evacuate Nova is sent fails for good: one instance of the admitted host fails.
        sim.addFault({
          service: 'nova',
          endpoint: 'POST /servers/{id}/action',
          action: 'evacuate',
          fault: {
            kind: 'status',
            status: 400,
            message: 'Invalid state of the instance (monitoring test)',
          },
          times: 1,
        });
        const client = new Client({ connection, namespace });
        for (const host of HOSTS) {
          sim.failHost(host, 'power-loss');
          await sendHostReport(
            client,
            { host, reporter: 'monitoring-test' },
            { taskQueue: TASK_QUEUE, settings: { policy: EVERY_INSTANCE_POLICY } },
          );
        }
        let last = '';
        return pollUntil(
          'a recovery with a failed instance, and a held incident, in the metrics',
          async () => {
            last = await scrape();
            const metrics = exportedMetrics(last);
            const isEverySeriesThere =
              /^lazarus_report_to_last_landing_seconds_count\S* 1$/m.test(last) &&
              /^lazarus_incident_failed_instances\{.*\} 1$/m.test(last) &&
              /^lazarus_storm_guard_held_seconds\{.*\} [1-9]/m.test(last);
            return isEverySeriesThere ? metrics : undefined;
          },
          {
            timeoutMs: 120_000,
            intervalMs: 1_000,
            onTimeout: () =>
              `not every series in the metrics:\n${last
                .split('\n')
                .filter((line) => line.startsWith('lazarus'))
                .join('\n')}`,
          },
        );
      },
    );
  }, 300_000);
  afterAll(async () => {
    const client = new Client({ connection, namespace });
    for (const workflowId of [...HOSTS.map(incidentWorkflowId), stormGuardWorkflowId(TASK_QUEUE)])
      await client.workflow
        .getHandle(workflowId)
        .terminate('monitoring test done')
        .catch(() => undefined);
    await connection.close();
    await sim.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('every alert rule reads metrics and labels the worker exports', async () => {
    expect(unexported(await alertQueries(), exported)).toEqual([]);
  });

  it('every dashboard panel reads metrics and labels the worker exports', async () => {
    const queries = await dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    expect(unexported(queries, exported)).toEqual([]);
  });

  it('a misspelled metric or label is found (the checks above can fail)', () => {
    expect(
      unexported(
        [
          { where: 'panel "typo"', expr: 'sum(lazarus_incident_age_secnods)' },
          { where: 'panel "label"', expr: 'lazarus_incident_age_seconds{hots="cmp-01"}' },
        ],
        exported,
      ),
    ).toEqual([
      'panel "typo" reads lazarus_incident_age_secnods, which the worker does not export',
      'panel "label" selects lazarus_incident_age_seconds by hots, a label it does not have',
    ]);
  });
});
