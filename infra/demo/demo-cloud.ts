// Everything the demo runs, started in order and stopped in reverse: the Temporal dev server with
// its Web UI, the simulated cloud with Redfish and IPMI BMCs, a Lazarus worker process configured
// by `sim:config`'s writer, and the health-check receiver. Nothing outlives the demo: processes run
// under the guardian, and stop() undoes whatever was started, also after a failed start.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { startBmcFleet } from '../../simulator/bmc/index.ts';
import { cloudName } from '../../simulator/clouds-yaml.ts';
import type { Simulator } from '../../simulator/simulator.ts';
import { startSimulator } from '../../simulator/simulator.ts';
import type { EvacuationPolicy } from '../../workflows/evacuation-policy.ts';
import { DEFAULT_EVACUATION_POLICY } from '../../workflows/evacuation-policy.ts';
import { startIntakeServer, type IntakeServer } from '../../workers/intake/intake-server.ts';
import { spawnGuarded, type GuardedProcess } from '../process/guarded-process.ts';
import { writeLazarusConfigForSimulator } from '../simulated-cloud/lazarus-config-for-simulator.ts';
import { startDevServer, type DevServer } from '../temporal/dev-server.ts';

const WORKER = fileURLToPath(new URL('../../workers/worker.ts', import.meta.url));
const TASK_QUEUE = 'lazarus';

/**
 * The simulated instances are image-backed on local disk and only some carry a protection mark; a
 * pet cloud with shared instance storage protects them all, which is what the demo shows.
 */
export const DEMO_POLICY: EvacuationPolicy = { ...DEFAULT_EVACUATION_POLICY, protect: 'all', imageBackedOnLocalDisk: 'evacuate' };

export interface DemoCloudOptions {
  hosts: number;
  instancesPerHost: number;
  ipmiHosts: number;
  timeScale: number;
  say: (line: string) => void;
}

export interface DemoCloud {
  server: DevServer;
  sim: Simulator;
  client: Client;
  receiver: IntakeServer;
  /** The bearer token the receiver takes, as Alertmanager's credentials_file would hold it. */
  token: string;
  /** Where the worker's log and the generated configuration are. */
  directory: string;
  stop(): Promise<void>;
}

async function waitForWorker(worker: GuardedProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!/^lazarus worker: serving task queue/m.test(worker.outputTail(50))) {
    if (worker.hasExited() || Date.now() > deadline) {
      throw new Error(`the Lazarus worker did not start (its log is ${logFile}):\n${worker.outputTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startDemoCloud(options: DemoCloudOptions): Promise<DemoCloud> {
  const undo: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of undo.reverse()) await step().catch(() => undefined);
  };
  try {
    const directory = await mkdtemp(join(tmpdir(), 'lazarus-demo-'));
    undo.push(() => rm(directory, { recursive: true, force: true }));

    options.say('starting the Temporal dev server with its Web UI');
    const server = await startDevServer({ ui: true, logFile: join(directory, 'temporal.log') });
    undo.push(() => server.stop());

    options.say(`starting the simulated cloud: ${options.hosts} hosts × ${options.instancesPerHost} instances, ${options.ipmiHosts} with IPMI BMCs (ipmi_sim), the others Redfish`);
    const sim = await startSimulator({
      hosts: options.hosts, instancesPerHost: options.instancesPerHost, timeScale: options.timeScale, startBmcFleet, bmc: { ipmiHosts: options.ipmiHosts },
    });
    undo.push(() => sim.stop());

    const { configPath, env } = await writeLazarusConfigForSimulator({ cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs }, directory);
    options.say(`starting a Lazarus worker (npm run worker -- --config ${configPath})`);
    const workerLog = join(directory, 'worker.log');
    const worker = spawnGuarded(process.execPath, ['--import', 'tsx', WORKER, '--config', configPath], {
      logFile: workerLog, graceMs: 30_000, env: { ...process.env, ...env, TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: server.namespace },
    });
    undo.push(() => worker.stop());
    await waitForWorker(worker, workerLog);

    const connection = await Connection.connect({ address: server.address });
    undo.push(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace });
    const token = randomBytes(24).toString('hex');
    const receiver = await startIntakeServer({
      client, token, hostLabel: 'host', listen: { host: '127.0.0.1', port: 0 },
      incidents: { taskQueue: TASK_QUEUE, settings: { policy: DEMO_POLICY } },
    });
    undo.push(() => receiver.close());
    options.say(`the health-check receiver listens on ${receiver.url}`);
    return { server, sim, client, receiver, token, directory, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
