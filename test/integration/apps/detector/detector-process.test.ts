// `npm run receiver` with `detector.enabled`: the process runs the detector beside the intake, says
// what it watches for, reports a dead host of the simulated cloud, and stops with the receiver.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeLazarusConfigForSimulator } from '../../../../demo/simulated-cloud/lazarus-config-for-simulator.ts';
import { startBmcFleet } from '../../../../simulator/bmc/index.ts';
import { cloudName } from '../../../../simulator/clouds-yaml.ts';
import { startSimulator, type Simulator } from '../../../../simulator/simulator.ts';
import { incidentWorkflowId } from '../../../../contracts/incident-messages.ts';
import { stopGracefully, waitForOutput } from '../../../support/child-output.ts';
import { spawnReceiver } from '../../../support/receiver-process.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
const [HOST = ''] = failedHostsOf('detector-process');

describe('the receiver with the detector enabled', () => {
  let sim: Simulator;
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-detector-process-'));
    sim = await startSimulator({
      hosts: 29,
      instancesPerHost: 1,
      timeScale: 1000,
      startBmcFleet,
      bmc: { ipmiHosts: 0 },
    });
  });
  afterAll(async () => {
    const connection = await Connection.connect({ address });
    await new Client({ connection, namespace }).workflow
      .getHandle(incidentWorkflowId(HOST))
      .terminate('detector process test done')
      .catch(() => undefined);
    await connection.close();
    await sim.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('reports a dead host by itself, then stops with the receiver on SIGTERM', async () => {
    const { configPath, env } = await writeLazarusConfigForSimulator(
      { cloud: cloudName, cloudsYaml: sim.cloudsYamlPath, bmcs: sim.bmcs },
      directory,
    );
    await appendFile(
      configPath,
      `temporal:\n  taskQueue: detector-process-${process.pid}\ndetector:\n  enabled: true\n  pollSeconds: 0.2\n  debounceSeconds: 0.5\n`,
    );
    await writeFile(join(directory, 'token'), 'detector-process-token\n', { mode: 0o600 });
    sim.failHost(HOST, 'power-loss');
    const receiver = spawnReceiver(
      { config: configPath, tokenFile: join(directory, 'token') },
      { ...process.env, ...env, TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace },
    );
    try {
      await waitForOutput(
        receiver,
        /^lazarus detector: polling Nova every 0.2 s; reporting a host when Nova reports it down and its BMC answers \(disabled services aside\) for 0.5 s, as lazarus-detector$/m,
        60_000,
      );
      const [reported] = await waitForOutput(
        receiver,
        new RegExp(
          `^lazarus detector: ${HOST}: reported to ${incidentWorkflowId(HOST)}: .*answers: power Off, for [\\d.]+ s$`,
          'm',
        ),
        60_000,
      );
      expect(reported).toContain('Nova reports its nova-compute down');
      expect(await stopGracefully(receiver, /^lazarus receiver: stopped$/m)).toBe(0);
    } finally {
      receiver.kill('SIGKILL');
    }
  }, 120_000);
});
