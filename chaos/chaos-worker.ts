// The chaos harness's worker process: the Lazarus worker as `npm run worker` builds it from
// lazarus.yaml, with two test-only differences. It runs the workflows bundled once by the harness
// (LAZARUS_CHAOS_WORKFLOW_BUNDLE), and with LAZARUS_CHAOS_KILL_AT it SIGKILLs itself at that
// activity boundary. It prints its pid when polling, so the harness can SIGKILL it too.
import { parseArgs } from 'node:util';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
  NOVA_REPORT_INTERVAL_MS,
  systemClock,
} from '../activities/incident/index.ts';
import { loadConfig } from '../config/load-config.ts';
import { temporalConnectConfig } from '../config/temporal-connection.ts';
import { createLazarusWorker } from '../apps/worker/create-worker.ts';
import { KILL_AT_VARIABLE, killAt, parseKillPoint } from './kill-points.ts';
import { BUNDLE_VARIABLE, READY_LINE } from './worker-protocol.ts';

const { values } = parseArgs({ options: { config: { type: 'string' } }, strict: true });
const bundlePath = process.env[BUNDLE_VARIABLE];
const killPoint = process.env[KILL_AT_VARIABLE];
Runtime.install({ logger: new DefaultLogger('WARN') });

const config = await loadConfig({
  env: process.env,
  ...(values.config === undefined ? {} : { path: values.config }),
});
const { connectionOptions, namespace = 'default' } = temporalConnectConfig(
  config.temporal,
  process.env,
);
const logger = Runtime.instance().logger;
const nova = connectNovaOnFirstUse({
  env: process.env,
  logger,
  ...(config.openstack.cloud === undefined ? {} : { cloud: config.openstack.cloud }),
});
const connection = await NativeConnection.connect(connectionOptions);
const worker = await createLazarusWorker({
  connection,
  namespace,
  taskQueue: config.temporal.taskQueue,
  dependencies: {
    nova,
    fencing: fenceDriversFromInventory(
      config.bmcs,
      config.fencing,
      (message) => {
        logger.warn(message);
      },
      config.pdus,
    ),
    clock: systemClock,
    reportIntervalMs: NOVA_REPORT_INTERVAL_MS,
    stormGuardLimits: config.stormGuard,
  },
  evacuateCallsPerSecond: config.temporal.evacuateCallsPerSecond,
  ...(bundlePath === undefined ? {} : { workflowBundle: { codePath: bundlePath } }),
  ...(killPoint === undefined
    ? {}
    : {
        interceptors: {
          activity: [killAt(parseKillPoint(killPoint), () => process.kill(process.pid, 'SIGKILL'))],
        },
      }),
  shutdownGraceTimeMs: 1_000,
});
console.log(
  `${READY_LINE} ${process.pid}${killPoint === undefined ? '' : `, dies at ${killPoint}`}`,
);
await worker.run();
await connection.close();
await nova.close();
