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
import {
  dataConverterOf,
  payloadEncryptionNotice,
} from '../../client/payload-encryption/data-converter.ts';
import { parseListenAddress, type ListenAddress, type ListeningServer } from '../http/listen.ts';
import { createLazarusWorker, shutdownGraceMsOf, type LazarusWorker } from './create-worker.ts';
import { deploymentVersionOf, versionNotice } from './deployment-version.ts';
import { HEALTH_PATHS, startHealthServer, workerReadiness } from './health-server.ts';
import { countBmcCalls, countNovaCalls } from './metrics/call-metrics.ts';
import { installMetricsRuntime, startDeploymentMetrics } from './metrics/metrics-runtime.ts';

const USAGE = `usage: npm run worker [-- --config PATH] [--metrics HOST:PORT] [--health HOST:PORT]

Runs a Lazarus worker until SIGTERM or SIGINT.

options:
  --config PATH        the configuration file (default: LAZARUS_CONFIG, else ./lazarus.yaml)
  --metrics HOST:PORT  serve Prometheus metrics (the SDK's and Lazarus's) at http://HOST:PORT/metrics
  --health HOST:PORT   serve GET ${HEALTH_PATHS.live} (alive) and GET ${HEALTH_PATHS.ready} (polling, and Temporal
                       answers) at http://HOST:PORT, for a supervisor's probes`;

async function runWorker(
  configPath: string | undefined,
  metricsAddress: string | undefined,
  healthAddress: ListenAddress | undefined,
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
  const { logger, metricMeter } = Runtime.instance();
  const warn = (message: string): void => {
    logger.warn(message);
  };
  const nova = connectNovaOnFirstUse({
    env: process.env,
    logger,
    ...(config.openstack.cloud === undefined ? {} : { cloud: config.openstack.cloud }),
  });
  const fencing = fenceDriversFromInventory(config.bmcs, config.fencing, warn, config.pdus);
  const version = deploymentVersionOf(config.temporal.versioning, process.env);
  const dataConverter = await dataConverterOf(config);
  const connection = await NativeConnection.connect(connectionOptions);
  const metrics =
    metricsAddress === undefined
      ? undefined
      : await startDeploymentMetrics({
          connectionOptions,
          namespace,
          taskQueue: config.temporal.taskQueue,
          dataConverter,
        });
  const address = connectionOptions.address ?? 'localhost:7233';
  let worker: LazarusWorker | undefined;
  let health: ListeningServer | undefined;
  try {
    // Before the worker exists: bundling the workflows takes a while, and a supervisor's liveness
    // probe must not kill a worker for starting.
    if (healthAddress !== undefined) {
      health = await startHealthServer({
        listen: healthAddress,
        readiness: workerReadiness({ worker: () => worker, connection, address }),
      });
      console.log(
        `lazarus worker: health at ${health.url}${HEALTH_PATHS.live} and ${health.url}${HEALTH_PATHS.ready}`,
      );
    }
    worker = await createLazarusWorker({
      connection,
      namespace,
      taskQueue: config.temporal.taskQueue,
      dependencies: {
        // Counted only where they are served: Nova's and the BMCs' error rates on the dashboard.
        nova: metricsAddress === undefined ? nova : countNovaCalls(nova, metricMeter),
        fencing: metricsAddress === undefined ? fencing : countBmcCalls(fencing, metricMeter),
        clock: systemClock,
        reportIntervalMs: NOVA_REPORT_INTERVAL_MS,
        stormGuardLimits: config.stormGuard,
      },
      dataConverter,
      evacuateCallsPerSecond: config.temporal.evacuateCallsPerSecond,
      maxConcurrentActivityTaskExecutions: config.temporal.maxConcurrentActivities,
      maxCachedWorkflows: config.temporal.maxCachedWorkflows,
      shutdownGraceTimeMs: shutdownGraceMsOf(config.fencing),
      ...(version === undefined ? {} : { version }),
    });
    console.log(
      `lazarus worker: serving task queue ${config.temporal.taskQueue} in namespace ${namespace} at ${address} (config ${config.path})`,
    );
    console.log(`lazarus worker: ${payloadEncryptionNotice(config)}`);
    if (version !== undefined)
      console.log(`lazarus worker: ${await versionNotice(connection, namespace, version)}`);
    // The SDK's Runtime turns SIGTERM and SIGINT into a graceful shutdown, after which run() returns.
    await worker.run();
    console.log('lazarus worker: stopped');
  } finally {
    await health?.close();
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
    options: {
      config: { type: 'string' },
      metrics: { type: 'string' },
      health: { type: 'string' },
      help: { type: 'boolean' },
    },
  }));
} catch (error) {
  console.error(
    `lazarus worker: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
  );
  process.exit(2);
}
const healthAddress = values.health === undefined ? undefined : parseListenAddress(values.health);
if (values.health !== undefined && healthAddress === undefined) {
  console.error(
    `lazarus worker: --health must look like 127.0.0.1:9465 (got ${values.health})\n${USAGE}`,
  );
  process.exit(2);
}
if (values.help === true) {
  console.log(USAGE);
} else {
  try {
    await runWorker(values.config, values.metrics, healthAddress);
  } catch (error) {
    if (!(error instanceof LazarusError)) throw error;
    console.error(`lazarus worker: ${error.message}`);
    process.exitCode = 1;
  }
}
