// Everything the demo runs, started in order and stopped in reverse: the Temporal dev server with
// its Web UI (or a Temporal cluster the caller started, as test:production does), the simulated
// cloud with Redfish and IPMI BMCs, Lazarus worker processes configured by `sim:config`'s writer,
// and the health-check receiver. Nothing outlives the demo: processes run under the guardian, and
// stop() undoes whatever was started, also after a failed start.
import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { parseDocument } from 'yaml';
import { dataConverterOf } from '../client/payload-encryption/data-converter.ts';
import { loadConfig } from '../config/load-config.ts';
import { startBmcFleet } from '../simulator/bmc/index.ts';
import { cloudName } from '../simulator/clouds-yaml.ts';
import type { Simulator } from '../simulator/simulator.ts';
import { startSimulator } from '../simulator/simulator.ts';
import { ALERTMANAGER_PATH } from '../apps/receiver/intake-server.ts';
import { spawnGuarded, type GuardedProcess } from '../infra/process/guarded-process.ts';
import { writeLazarusConfigForSimulator } from './simulated-cloud/lazarus-config-for-simulator.ts';
import { startDevServer } from '../infra/temporal/dev-server.ts';
import { pollUntil } from '../lib/poll-until.ts';

const WORKER = fileURLToPath(new URL('../apps/worker/worker.ts', import.meta.url));
const RECEIVER = fileURLToPath(new URL('../apps/receiver/receiver.ts', import.meta.url));

/**
 * The simulated instances are image-backed on local disk and only some carry a protection mark; a
 * pet cloud with shared instance storage protects them all, which is what the demo shows.
 */
const DEMO_INCIDENT_SETTINGS = `
# The demo's cloud keeps instance disks on shared storage, and protects every instance.
incident:
  protect: all
  imageBackedOnLocalDisk: evacuate
`;

/** Where Temporal is and how a Lazarus process connects to it, the standard way. */
export interface TemporalService {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  /** TEMPORAL_* settings for the worker and receiver processes. */
  env: Record<string, string>;
  connect(): Promise<Connection>;
}

export interface DemoCloudOptions {
  hosts: number;
  instancesPerHost: number;
  ipmiHosts: number;
  timeScale: number;
  say: (line: string) => void;
  /** An existing Temporal instead of a dev server of the demo's own. */
  temporal?: TemporalService;
  /** Worker processes (one by default). */
  workers?: number;
  /** lazarus.yaml's temporal.payloadEncryption for every process, the demo's client included. */
  payloadEncryption?: { activeKey: string; keys: { id: string; file: string }[] };
}

export interface DemoCloud {
  temporal: TemporalService;
  sim: Simulator;
  client: Client;
  /** The worker processes, in start order; a killed one is replaced by startWorker. */
  workers: GuardedProcess[];
  startWorker(): Promise<GuardedProcess>;
  receiverUrl: string;
  /** Sends the receiver the webhook Alertmanager sends when `host`'s node_exporter alert fires; resolves to the 202 answer. */
  reportFailure(host: string): Promise<string>;
  /** Where the logs and the generated configuration are. */
  directory: string;
  /** The lazarus.yaml every process of the demo reads. */
  configPath: string;
  stop(): Promise<void>;
}

/** Waits for a line the process prints once it is ready; fails with its log's tail if it ends or takes too long. */
function readyLine(
  name: string,
  process: GuardedProcess,
  pattern: RegExp,
  logFile: string,
): Promise<RegExpMatchArray> {
  const failure = (): string =>
    `${name} did not start (its log is ${logFile}):\n${process.outputTail()}`;
  return pollUntil(
    `${name} to start`,
    () => {
      const match = pattern.exec(process.outputTail(50));
      if (match !== null) return match;
      if (process.hasExited()) throw new Error(failure());
      return undefined;
    },
    { timeoutMs: 120_000, intervalMs: 200, onTimeout: failure },
  );
}

/** Alertmanager's webhook (payload version 4) for the host's NodeDown alert. */
function nodeDownWebhook(host: string) {
  return {
    version: '4',
    status: 'firing',
    receiver: 'lazarus',
    groupKey: '{}:{alertname="NodeDown"}',
    truncatedAlerts: 0,
    groupLabels: { alertname: 'NodeDown' },
    commonLabels: { alertname: 'NodeDown', host },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.demo:9093',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'NodeDown', host, severity: 'critical' },
        annotations: { summary: `${host} stopped answering scrapes` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.demo:9090/graph',
        fingerprint: `demo-${host}`,
      },
    ],
  };
}

async function startOwnDevServer(
  directory: string,
  options: DemoCloudOptions,
  undo: (() => Promise<unknown>)[],
): Promise<TemporalService> {
  options.say('starting the Temporal dev server with its Web UI');
  const server = await startDevServer({ ui: true, logFile: join(directory, 'temporal.log') });
  undo.push(() => server.stop());
  return {
    address: server.address,
    namespace: server.namespace,
    uiUrl: server.uiUrl,
    env: { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace },
    connect: () => Connection.connect({ address: server.address }),
  };
}

export async function startDemoCloud(options: DemoCloudOptions): Promise<DemoCloud> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    const directory = await mkdtemp(join(tmpdir(), 'lazarus-demo-'));
    undo.push(() => rm(directory, { recursive: true, force: true }));

    const temporal = options.temporal ?? (await startOwnDevServer(directory, options, undo));

    options.say(
      `starting the simulated cloud: ${options.hosts} hosts × ${options.instancesPerHost} instances, ${options.ipmiHosts} with IPMI BMCs (ipmi_sim), the others Redfish`,
    );
    const sim = await startSimulator({
      hosts: options.hosts,
      instancesPerHost: options.instancesPerHost,
      timeScale: options.timeScale,
      startBmcFleet,
      bmc: { ipmiHosts: options.ipmiHosts },
    });
    undo.push(() => sim.stop());

    const { configPath, env } = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
      directory,
    );
    await appendFile(configPath, DEMO_INCIDENT_SETTINGS);
    if (options.payloadEncryption !== undefined) {
      const document = parseDocument(await readFile(configPath, 'utf8'));
      document.setIn(['temporal', 'payloadEncryption'], options.payloadEncryption);
      await writeFile(configPath, document.toString());
    }
    const processEnv = { ...process.env, ...env, ...temporal.env };

    const workers: GuardedProcess[] = [];
    const startWorker = async (): Promise<GuardedProcess> => {
      const workerLog = join(directory, `worker-${workers.length + 1}.log`);
      options.say(`starting a Lazarus worker: npm run worker -- --config ${configPath}`);
      const worker = spawnGuarded(
        process.execPath,
        ['--import', 'tsx', WORKER, '--config', configPath],
        { logFile: workerLog, graceMs: 30_000, env: processEnv },
      );
      workers.push(worker);
      undo.push(() => worker.stop());
      await readyLine(
        'the Lazarus worker',
        worker,
        /^lazarus worker: serving task queue/m,
        workerLog,
      );
      return worker;
    };
    for (let started = 0; started < (options.workers ?? 1); started++) await startWorker();

    // The token Alertmanager's credentials_file would hold.
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(directory, 'intake-token');
    // Named: the receiver records each report under its token's name, Alertmanager's here.
    await writeFile(tokenFile, `alertmanager/lazarus:${token}\n`, { mode: 0o600 });
    options.say(
      `starting the health-check receiver: npm run receiver -- --config ${configPath} --token-file ${tokenFile}`,
    );
    const receiverLog = join(directory, 'receiver.log');
    const receiver = spawnGuarded(
      process.execPath,
      [
        '--import',
        'tsx',
        RECEIVER,
        '--config',
        configPath,
        '--listen',
        '127.0.0.1:0',
        '--token-file',
        tokenFile,
      ],
      {
        logFile: receiverLog,
        graceMs: 5_000,
        env: processEnv,
      },
    );
    undo.push(() => receiver.stop());
    const [, receiverUrl = ''] = await readyLine(
      'the receiver',
      receiver,
      /^lazarus receiver: listening on (\S+)/m,
      receiverLog,
    );

    const connection = await temporal.connect();
    undo.push(() => connection.close());
    // The demo's own client reads the incidents as the worker writes them, encrypted or not.
    const config = await loadConfig({ path: configPath, env: processEnv });
    const client = new Client({
      connection,
      namespace: temporal.namespace,
      dataConverter: await dataConverterOf(config),
    });

    const reportFailure = async (host: string): Promise<string> => {
      const response = await fetch(`${receiverUrl}${ALERTMANAGER_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(nodeDownWebhook(host)),
      });
      const answer = (await response.text()).trim();
      if (response.status !== 202)
        throw new Error(`the receiver answered ${response.status}: ${answer}`);
      return answer;
    };
    return {
      temporal,
      sim,
      client,
      workers,
      startWorker,
      receiverUrl,
      reportFailure,
      directory,
      configPath,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
