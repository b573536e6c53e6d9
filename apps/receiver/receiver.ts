// `npm run receiver [-- --config PATH --listen HOST:PORT --token-file FILE --host-label NAME]`: the
// health-check receiver as a process, with the built-in detector when lazarus.yaml enables it. It connects to Temporal the standard way (TEMPORAL_* /
// temporal.toml, lazarus.yaml's temporal section), serves until SIGTERM or SIGINT, then stops
// taking reports and exits 0.
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { LazarusError } from '../../activities/errors.ts';
import { loadConfig } from '../../config/load-config.ts';
import { temporalConnectConfig } from '../../config/temporal-connection.ts';
import { readReporterTokens, TOKEN_ENV } from './bearer-token.ts';
import {
  dataConverterOf,
  payloadEncryptionNotice,
} from '../../client/payload-encryption/data-converter.ts';
import { parseListenAddress, type ListenAddress } from '../http/listen.ts';
import { incidentStartOptions } from '../../client/incident-start-options.ts';
import {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
} from '../../activities/incident/incident-dependencies.ts';
import type { LazarusConfig } from '../../config/load-config.ts';
import { describeRules } from '../detector/detector-rules.ts';
import { startDetector, type RunningDetector } from '../detector/detector.ts';
import { ALERTMANAGER_PATH, REPORTS_PATH, startIntakeServer } from './intake-server.ts';
import { sendHostReport, type IncidentStartOptions } from '../../client/send-host-report.ts';

export const DEFAULT_LISTEN = '127.0.0.1:9470';
/** How long the detector's report may take to reach Temporal before it is tried again at the next poll. */
const REPORT_DEADLINE_MS = 10_000;

const USAGE = `usage: npm run receiver [-- --config PATH] [--listen HOST:PORT] [--token-file FILE] [--host-label NAME]

Receives health checkers' reports over HTTP and starts or joins each failed host's incident.
With detector.enabled in the configuration it also watches Nova and the BMCs and reports by itself.

options:
  --config PATH       the configuration file (default: LAZARUS_CONFIG, else ./lazarus.yaml)
  --listen HOST:PORT  where to listen (default ${DEFAULT_LISTEN}; port 0 picks a free one)
  --token-file FILE   the health checkers' bearer tokens, one "name:token" line each; the name is
                      the reporter recorded (a file with one bare token: one reporter, intake-token;
                      default: the ${TOKEN_ENV} variable)
  --host-label NAME   the Alertmanager label holding the Nova host name (default host)`;

class UsageError extends Error {}

function listenAddress(text: string): ListenAddress {
  const address = parseListenAddress(text);
  if (address === undefined)
    throw new UsageError(`--listen must look like 127.0.0.1:9470 (got ${text})`);
  return address;
}

async function runReceiver(argv: readonly string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        listen: { type: 'string' },
        'token-file': { type: 'string' },
        'host-label': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const listen = listenAddress(values.listen ?? DEFAULT_LISTEN);
  const tokens = await readReporterTokens(values['token-file'], process.env);
  const config = await loadConfig({
    env: process.env,
    ...(values.config === undefined ? {} : { path: values.config }),
  });
  // Before connecting: a key file that is wrong stops the receiver before it takes a report.
  const dataConverter = await dataConverterOf(config);
  const { connectionOptions, namespace = 'default' } = temporalConnectConfig(
    config.temporal,
    process.env,
  );
  // Lazy: the receiver starts and answers 503 while Temporal is away, rather than not starting.
  const connection = Connection.lazy(connectionOptions);
  const incidents = incidentStartOptions(config);
  const client = new Client({ connection, namespace, dataConverter });
  const receiver = await startIntakeServer({
    client,
    tokens,
    hostLabel: values['host-label'] ?? 'host',
    listen,
    incidents,
    log: (line) => {
      console.log(`lazarus receiver: ${line}`);
    },
  });
  console.log(
    `lazarus receiver: listening on ${receiver.url} (Alertmanager: ${ALERTMANAGER_PATH}, other reports: ${REPORTS_PATH}); ` +
      `incidents start on task queue ${incidents.taskQueue} in namespace ${namespace} at ${connectionOptions.address ?? 'localhost:7233'}`,
  );
  console.log(`lazarus receiver: ${payloadEncryptionNotice(config)}`);
  const detector = config.detector.isEnabled
    ? startConfiguredDetector(config, client, incidents)
    : undefined;
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await detector?.stop();
  await receiver.close();
  await connection.close();
  console.log('lazarus receiver: stopped');
}

function startConfiguredDetector(
  config: LazarusConfig,
  client: Client,
  incidents: IncidentStartOptions,
): RunningDetector {
  const { detector } = config;
  const log = (line: string): void => {
    console.log(`lazarus detector: ${line}`);
  };
  const nova = connectNovaOnFirstUse({
    env: process.env,
    logger: { warn: log },
    ...(config.openstack.cloud === undefined ? {} : { cloud: config.openstack.cloud }),
  });
  const running = startDetector({
    ...detector,
    nova,
    fencing: fenceDriversFromInventory(config.bmcs, config.fencing, log),
    log,
    report: (report) =>
      client.withDeadline(Date.now() + REPORT_DEADLINE_MS, () =>
        sendHostReport(client, report, incidents),
      ),
  });
  log(
    `polling Nova every ${detector.pollMs / 1000} s; reporting a host when ${describeRules(detector.rules)} for ${detector.debounceMs / 1000} s, as ${detector.reporter}`,
  );
  return {
    stop: async () => {
      await running.stop();
      await nova.close();
    },
  };
}

try {
  await runReceiver(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError || error instanceof LazarusError)) throw error;
  console.error(
    `lazarus receiver: ${error.message}${error instanceof UsageError ? `\n${USAGE}` : ''}`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
