// `npm run worker [-- --config PATH]`: the Lazarus worker process. It reads lazarus.yaml, connects to
// Temporal the standard way (TEMPORAL_* / temporal.toml), runs the workflows and the activities built
// from the configuration, and on SIGTERM or SIGINT stops polling, lets running activities finish
// (a fencing attempt reaches its proof or its FencingUnproven) and exits 0.
import { parseArgs } from 'node:util';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { LazarusError } from '../../activities/errors.ts';
import {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
  NOVA_REPORT_INTERVAL_MS,
  systemClock,
} from '../../activities/incident/index.ts';
import { loadConfig } from '../../config/load-config.ts';
import { temporalConnectConfig } from '../../config/temporal-connection.ts';
import { createLazarusWorker } from './create-worker.ts';
import { installMetricsRuntime, startDeploymentMetrics } from './metrics/metrics-runtime.ts';

const USAGE = `usage: npm run worker [-- --config PATH] [--metrics HOST:PORT]

Runs a Lazarus worker until SIGTERM or SIGINT.

options:
  --config PATH        the configuration file (default: LAZARUS_CONFIG, else ./lazarus.yaml)
  --metrics HOST:PORT  serve Prometheus metrics (the SDK's and Lazarus's) at http://HOST:PORT/metrics`;

async function runWorker(
  configPath: string | undefined,
  metricsAddress: string | undefined,
): Promise<void> {
  if (metricsAddress !== undefined) installMetricsRuntime(metricsAddress);
  const config = await loadConfig({
    env: process.env,
    ...(configPath === undefined ? {} : { path: configPath }),
  });
  const { connectionOptions, namespace = 'default' } = temporalConnectConfig(
    config.temporal,
    process.env,
  );
  const logger = Runtime.instance().logger;
  const warn = (message: string): void => {
    logger.warn(message);
  };
  const nova = connectNovaOnFirstUse({
    env: process.env,
    logger,
    ...(config.openstack.cloud === undefined ? {} : { cloud: config.openstack.cloud }),
  });
  const connection = await NativeConnection.connect(connectionOptions);
  const metrics =
    metricsAddress === undefined
      ? undefined
      : await startDeploymentMetrics({
          connectionOptions,
          namespace,
          taskQueue: config.temporal.taskQueue,
        });
  try {
    const worker = await createLazarusWorker({
      connection,
      namespace,
      taskQueue: config.temporal.taskQueue,
      dependencies: {
        nova,
        fencing: fenceDriversFromInventory(config.bmcs, config.fencing, warn),
        clock: systemClock,
        reportIntervalMs: NOVA_REPORT_INTERVAL_MS,
        stormGuardLimits: config.stormGuard,
      },
      evacuateCallsPerSecond: config.temporal.evacuateCallsPerSecond,
      maxConcurrentActivityTaskExecutions: config.temporal.maxConcurrentActivities,
      maxCachedWorkflows: config.temporal.maxCachedWorkflows,
      // Long enough for a fencing attempt in flight to end with its proof or its FencingUnproven.
      shutdownGraceTimeMs: config.fencing.powerOffTimeoutMs + 2 * config.fencing.requestTimeoutMs,
    });
    console.log(
      `lazarus worker: serving task queue ${config.temporal.taskQueue} in namespace ${namespace} at ${connectionOptions.address ?? 'localhost:7233'} (config ${config.path})`,
    );
    // The SDK's Runtime turns SIGTERM and SIGINT into a graceful shutdown, after which run() returns.
    await worker.run();
    console.log('lazarus worker: stopped');
  } finally {
    await metrics?.stop();
    await connection.close();
    await nova.close();
  }
}

let values;
try {
  ({ values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: false,
    options: { config: { type: 'string' }, metrics: { type: 'string' }, help: { type: 'boolean' } },
  }));
} catch (error) {
  console.error(
    `lazarus worker: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
  );
  process.exit(2);
}
if (values.help === true) {
  console.log(USAGE);
} else {
  try {
    await runWorker(values.config, values.metrics);
  } catch (error) {
    if (!(error instanceof LazarusError)) throw error;
    console.error(`lazarus worker: ${error.message}`);
    process.exitCode = 1;
  }
}
