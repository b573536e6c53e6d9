// `npm run cluster [-- --port P --namespace N --ui-port P | --no-ui --codec-endpoint URL --dir DIR]`:
// a production-shaped Temporal cluster on this machine until Ctrl-C
// (docs/operations.md#a-production-shaped-cluster-on-one-machine).
import { rmSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Cluster, ClusterOptions } from './cluster.ts';
import { startCluster } from './cluster.ts';

const USAGE = `usage: npm run cluster -- [options]

Starts PostgreSQL, Temporal Server's four services (frontend, history, matching, worker) with mTLS,
the namespace with Lazarus's search attributes, and the Web UI; prints how to connect Lazarus.
Ctrl-C stops everything and removes what it made (unless --dir is given).

  --port P              the frontend's gRPC port (default 7233)
  --namespace NAME      the namespace to register (default lazarus)
  --ui-port P           the Web UI's port (default 8080)
  --no-ui               no Web UI
  --codec-endpoint URL  the codec server the Web UI's browsers use (lazarus codec-server)
  --dir DIR             put everything in DIR (new or empty) and keep it after stopping
  --help                this text`;

const port = (flag: string, value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535)
    throw new Error(`${flag} ${value}: expected a whole number from 1 to 65535`);
  return parsed;
};

async function parseOptions(argv: string[]): Promise<ClusterOptions | 'help'> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      namespace: { type: 'string' },
      'ui-port': { type: 'string' },
      'no-ui': { type: 'boolean' },
      'codec-endpoint': { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return 'help';
  if (values['no-ui'] === true && values['ui-port'] !== undefined)
    throw new Error('--no-ui and --ui-port contradict each other');
  if (values.dir !== undefined) {
    const entries = await readdir(values.dir).catch(() => []);
    if (entries.length > 0)
      throw new Error(`--dir ${values.dir} is not empty: give a new or empty directory`);
  }
  if (values['codec-endpoint'] !== undefined && !URL.canParse(values['codec-endpoint']))
    throw new Error(`--codec-endpoint ${values['codec-endpoint']}: not a URL`);
  return {
    frontendPort: values.port === undefined ? 7233 : port('--port', values.port),
    namespace: values.namespace ?? 'lazarus',
    ...(values['no-ui'] === true
      ? {}
      : { uiPort: values['ui-port'] === undefined ? 8080 : port('--ui-port', values['ui-port']) }),
    ...(values['codec-endpoint'] === undefined
      ? {}
      : { uiCodecEndpoint: values['codec-endpoint'] }),
    ...(values.dir === undefined ? {} : { directory: values.dir }),
  };
}

let options: ClusterOptions | 'help';
try {
  options = await parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
}
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}

// Made here rather than by startCluster, so that a Ctrl-C during start-up removes it too: the
// guardians stop every process with this one, and the exit handler removes the directory.
const isKept = options.directory !== undefined;
const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'lazarus-cluster-')));
process.once('exit', () => {
  if (!isKept) rmSync(directory, { recursive: true, force: true });
});
const started: { cluster?: Cluster } = {};
let isStopping = false;
async function shutdown(): Promise<void> {
  if (isStopping) return;
  isStopping = true;
  await started.cluster?.stop();
  console.log('cluster stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

const cluster = await startCluster({
  ...options,
  directory,
  log: (line) => {
    console.error(`cluster: ${line}`);
  },
}).catch((error: unknown) => {
  console.error(
    `could not start the cluster: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
started.cluster = cluster;
console.log(`Temporal cluster: ${cluster.address} (namespace ${cluster.namespace}), mTLS required`);
if (cluster.uiUrl !== undefined) console.log(`Web UI: ${cluster.uiUrl}`);
console.log(`Logs and data: ${cluster.directory}${isKept ? '' : ' (removed when stopped)'}`);
console.log('\nConnect Lazarus (worker, receiver, lazarus CLI) with these settings:');
for (const [name, value] of Object.entries(cluster.env)) console.log(`  export ${name}=${value}`);
console.log(
  `or with the profile: TEMPORAL_CONFIG_FILE=${cluster.profileFile} TEMPORAL_PROFILE=lazarus-cluster`,
);
console.log('\nPress Ctrl-C to stop.');
