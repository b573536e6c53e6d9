// `npm run temporal:dev [-- --port P --db-filename F --namespace N --headless]`: a Temporal dev
// server with Lazarus's search attributes, running until Ctrl-C.
import { parseArgs } from 'node:util';
import { startDevServer, type DevServerOptions } from './dev-server.ts';

const USAGE =
  'usage: npm run temporal:dev -- [--port P] [--db-filename FILE] [--namespace NAME] [--headless]';

function parseOptions(argv: string[]): DevServerOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'db-filename': { type: 'string' },
      namespace: { type: 'string' },
      headless: { type: 'boolean' },
    },
    strict: true,
  });
  const options: DevServerOptions = { ui: !values.headless };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 1 || port > 64_535)
      throw new Error(
        `--port ${values.port}: expected a whole number from 1 to 64535 (the Web UI takes port + 1000)`,
      );
    options.port = port;
  }
  if (values['db-filename'] !== undefined) options.dbFile = values['db-filename'];
  if (values.namespace !== undefined) options.namespace = values.namespace;
  return options;
}

let options: DevServerOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  process.exit(2);
}

const server = await startDevServer(options).catch((error: unknown) => {
  console.error(
    `could not start the Temporal dev server: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
console.log(`Temporal dev server: ${server.address} (namespace ${server.namespace})`);
if (server.uiUrl) console.log(`Web UI: ${server.uiUrl}`);
console.log(`Server log: ${server.logFile}`);
console.log('Press Ctrl-C to stop.');

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.stop();
  console.log('Temporal dev server stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
void server.process.exited.then((status) => {
  if (stopping) return;
  console.error(
    `the Temporal dev server exited on its own (status ${status}):\n${server.process.outputTail()}`,
  );
  process.exit(1);
});
