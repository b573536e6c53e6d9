// The built-in detector against the simulated cloud (real Nova API over HTTP, real Redfish BMCs) and
// the real dev server: what it reports, what it holds back and why, and that a host is reported once.
// No worker serves the task queue, so each incident stays as the reports left it.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
  type NovaProvider,
} from '../../../../activities/incident/incident-dependencies.ts';
import { writeLazarusConfigForSimulator } from '../../../../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import { cloudName } from '../../../../simulator/clouds-yaml.ts';
import { startSimulator, type Simulator } from '../../../../simulator/simulator.ts';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import { loadConfig, type LazarusConfig } from '../../../../config/load-config.ts';
import { startDetector, type RunningDetector } from '../../../../apps/detector/detector.ts';
import { sendHostReport } from '../../../../client/send-host-report.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
// Hosts no other test file fails (incident/<host> is shared by every file on the dev server).
const [POWER_LOSS = '', DARK_BMC = '', MAINTENANCE = '', FLAPPING = ''] = failedHostsOf('detector');
const HOSTS = [POWER_LOSS, DARK_BMC, MAINTENANCE, FLAPPING];
const TASK_QUEUE = `detector-${process.pid}`;
const POLL_MS = 200;

describe('the built-in detector', () => {
  let sim: Simulator;
  let directory: string;
  let connection: Connection;
  let client: Client;
  let config: LazarusConfig;
  let nova: NovaProvider;
  const lines: string[] = [];
  const running: RunningDetector[] = [];

  const start = (overrides: Partial<LazarusConfig['detector']['rules']> = {}): RunningDetector => {
    const detector = startDetector({
      ...config.detector,
      pollMs: POLL_MS,
      debounceMs: 2_000,
      rules: { ...config.detector.rules, ...overrides },
      nova,
      fencing: fenceDriversFromInventory(config.bmcs, config.fencing, (line) => lines.push(line)),
      log: (line) => lines.push(line),
      report: (report) => sendHostReport(client, report, { taskQueue: TASK_QUEUE }),
    });
    running.push(detector);
    return detector;
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(running.splice(0).map((detector) => detector.stop()));
    lines.length = 0;
  };
  const logged = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    pollUntil(
      `the detector to log ${String(pattern)}`,
      () => lines.find((line) => pattern.test(line)),
      { timeoutMs, intervalMs: 50, onTimeout: () => `it logged:\n${lines.join('\n')}` },
    );
  const reportsOf = async (host: string): Promise<number | 'no incident'> => {
    const handle = client.workflow.getHandle(incidentWorkflowId(host));
    try {
      await handle.describe();
      const history = await handle.fetchHistory();
      return (history.events ?? []).filter(
        (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'report',
      ).length;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return 'no incident';
      throw error;
    }
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-detector-'));
    sim = await startSimulator({
      hosts: 28,
      instancesPerHost: 1,
      timeScale: 1000,
      startBmcFleet,
      bmc: { ipmiHosts: 0 },
    });
    const { configPath, env } = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
      directory,
    );
    // A dark BMC times out rather than refusing, and every poll waits for its slowest BMC read.
    await appendFile(configPath, 'detector:\n  enabled: true\n');
    config = await loadConfig({ path: configPath, env: {} });
    config = { ...config, fencing: { ...config.fencing, requestTimeoutMs: 1_000 } };
    nova = connectNovaOnFirstUse({
      env: { ...process.env, ...env },
      cloud: cloudName,
      logger: { warn: (line) => lines.push(line) },
    });
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace });
  });
  afterAll(async () => {
    await stopAll();
    await Promise.all(
      HOSTS.map((host) =>
        client.workflow
          .getHandle(incidentWorkflowId(host))
          .terminate('detector test done')
          .catch(() => undefined),
      ),
    );
    await connection.close();
    await nova.close();
    await sim.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('reports a dead host once, and holds back a dark BMC, a host in maintenance and a flapping compute, saying why', async () => {
    const maintenance = (await (await nova.client()).listComputeServices(MAINTENANCE))[0];
    if (maintenance?.status !== 'enabled')
      throw new Error(`no enabled nova-compute on ${MAINTENANCE}`);
    await (await nova.client()).forceDownComputeService(maintenance.id, 'maintenance: new DIMMs');
    sim.failHost(POWER_LOSS, 'power-loss');
    sim.failHost(DARK_BMC, 'compute-crash');
    sim.setBmcFaults(DARK_BMC, { unreachable: true });
    sim.failHost(MAINTENANCE, 'power-loss');
    start();

    await logged(
      new RegExp(
        `^${DARK_BMC}: Nova reports its nova-compute down .*; not reported: the rules require a BMC that answers`,
      ),
    );
    await logged(new RegExp(`^${MAINTENANCE}: ignored, its nova-compute is forced down`));
    sim.failHost(FLAPPING, 'compute-crash');
    await logged(
      new RegExp(
        `^${FLAPPING}: Nova reports its nova-compute down .*; reporting it in 2 s unless it recovers$`,
      ),
    );
    sim.restartCompute(FLAPPING);
    await logged(
      new RegExp(`^${FLAPPING}: healthy again after [\\d.]+ s, within the debounce; not reported$`),
    );

    const reported = await logged(
      new RegExp(`^${POWER_LOSS}: reported to ${incidentWorkflowId(POWER_LOSS)}: `),
    );
    expect(reported).toMatch(/answers: power Off, for [\d.]+ s$/);
    // Ten more polls: the dead host is not reported again, and nothing else is reported at all.
    await new Promise((resolve) => setTimeout(resolve, 10 * POLL_MS));
    expect(await reportsOf(POWER_LOSS)).toBe(1);
    for (const host of [DARK_BMC, MAINTENANCE, FLAPPING])
      expect(await reportsOf(host)).toBe('no incident');
    expect(lines.filter((line) => line.includes(': reported to '))).toHaveLength(1);
  }, 90_000);

  it('reports the dark-BMC host once the rules no longer require a BMC that answers', async () => {
    await stopAll();
    start({ isBmcReachableRequired: false });
    await logged(
      new RegExp(
        `^${DARK_BMC}: reported to ${incidentWorkflowId(DARK_BMC)}: Nova reports its nova-compute down `,
      ),
    );
    expect(await reportsOf(DARK_BMC)).toBe(1);
  }, 60_000);

  it('says when Nova cannot be read, reports nothing meanwhile, and says when it answers again', async () => {
    await stopAll();
    sim.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status: 500 },
    });
    start({ isBmcReachableRequired: false });
    await logged(
      /^cannot read Nova's compute services \(.*\); nothing is reported until Nova answers$/,
      60_000,
    );
    sim.clearFaults();
    await logged(/^Nova answers again$/, 60_000);
    expect(lines.filter((line) => line.startsWith('cannot read Nova'))).toHaveLength(1);
  }, 150_000);
});
