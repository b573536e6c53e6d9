// `lazarus codec-server`: serves Temporal's remote codec protocol with the payload keys of
// lazarus.yaml, so the Temporal Web UI and `temporal workflow show --codec-endpoint URL` show
// encrypted payloads in plaintext (docs/design.md#the-codec-server). Runs until SIGTERM or SIGINT,
// then exits 0; 1 when the configuration or its keys are wrong, 2 on bad usage.
import { parseArgs } from 'node:util';
import { LazarusError } from '../../activities/errors.ts';
import { payloadCodecOf } from '../../client/payload-encryption/data-converter.ts';
import { loadConfig } from '../../config/load-config.ts';
import type { NamedToken, TokenHolders } from '../http/bearer-tokens.ts';
import { readNamedTokenFile } from '../http/bearer-tokens.ts';
import { isLoopback, parseListenAddress } from '../http/listen.ts';
import { parseOrigin } from './codec-cors.ts';
import { startCodecServer } from './codec-http-server.ts';

export const DEFAULT_CODEC_LISTEN = '127.0.0.1:9471';

export const CODEC_SERVER_USAGE = `usage: lazarus codec-server [--config PATH] [--listen HOST:PORT] [--allow-origin ORIGIN]... [--token-file FILE]

Serves Temporal's remote codec protocol (POST /encode, POST /decode) with the payload keys of
lazarus.yaml (temporal.payloadEncryption), so the Temporal Web UI (its codec endpoint setting) and
temporal workflow show --codec-endpoint URL show encrypted payloads in plaintext. Runs until
SIGTERM or SIGINT.

options:
  --config PATH          the configuration file (default: LAZARUS_CONFIG, else ./lazarus.yaml)
  --listen HOST:PORT     where to listen (default ${DEFAULT_CODEC_LISTEN}; port 0 picks a free one)
  --allow-origin ORIGIN  a Temporal Web UI whose pages may call it from the browser, as the browser
                         shows it, e.g. http://127.0.0.1:8233; repeat for several (default: none,
                         so only the Temporal CLI and scripts)
  --token-file FILE      the operators' bearer tokens, one "name:token" line each (or one token);
                         every request must then carry one: temporal ... --codec-auth "Bearer TOKEN"`;

const OPERATOR_TOKENS: TokenHolders = {
  token: 'codec token',
  name: 'operator',
  holder: 'operator',
  reader: 'the codec server',
  told: 'their requests',
  singleName: 'codec-token',
};

class UsageError extends Error {}

interface CodecServerArguments {
  configPath: string | undefined;
  listen: string;
  allowedOrigins: string[];
  tokenFile: string | undefined;
}

function argumentsOf(args: readonly string[]): CodecServerArguments | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        listen: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'token-file': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return 'help';
  const allowedOrigins = (values['allow-origin'] ?? []).map((text) => {
    const parsed = parseOrigin(text);
    if ('problem' in parsed) throw new UsageError(`--allow-origin ${text} ${parsed.problem}`);
    return parsed.origin;
  });
  return {
    configPath: values.config,
    listen: values.listen ?? DEFAULT_CODEC_LISTEN,
    allowedOrigins,
    tokenFile: values['token-file'],
  };
}

async function serve(options: CodecServerArguments): Promise<void> {
  const listen = parseListenAddress(options.listen);
  if (listen === undefined)
    throw new UsageError(`--listen must look like ${DEFAULT_CODEC_LISTEN} (got ${options.listen})`);
  const config = await loadConfig({
    env: process.env,
    ...(options.configPath === undefined ? {} : { path: options.configPath }),
  });
  const codec = await payloadCodecOf(config);
  const encryption = config.temporal.payloadEncryption;
  if (codec === undefined || encryption === undefined)
    throw new LazarusError(
      'ConfigurationInvalid',
      `configuration ${config.path} does not turn payload encryption on, so there is nothing to decode; add temporal.payloadEncryption (config/README.md), or name the file that has it with --config`,
      { path: config.path },
    );
  const tokens: NamedToken[] | undefined =
    options.tokenFile === undefined
      ? undefined
      : await readNamedTokenFile(options.tokenFile, OPERATOR_TOKENS);
  const server = await startCodecServer({
    codec,
    listen,
    allowedOrigins: options.allowedOrigins,
    ...(tokens === undefined ? {} : { tokens }),
    log: (line) => {
      console.log(`lazarus codec-server: ${line}`);
    },
  }).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    throw new LazarusError(
      'ConfigurationInvalid',
      `cannot listen on ${options.listen} (${typeof code === 'string' ? code : String(error)}); pick another address with --listen HOST:PORT`,
      {},
    );
  });
  // Listening for the signals before saying so: whoever waits for that line may stop it at once.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const keys = encryption.keys.map(({ id }) =>
    id === encryption.activeKey ? `${id} (active)` : id,
  );
  console.log(
    `lazarus codec-server: listening on ${server.url} (POST /encode, POST /decode); keys ${keys.join(', ')}; ` +
      `browser origins: ${options.allowedOrigins.length === 0 ? 'none' : options.allowedOrigins.join(', ')}; ` +
      `bearer token: ${tokens === undefined ? 'not required' : `required (${tokens.length} operator${tokens.length === 1 ? '' : 's'})`}`,
  );
  if (tokens === undefined && !isLoopback(listen.host))
    console.error(
      `lazarus codec-server: warning: listening on ${listen.host} without --token-file: whoever reaches it can decrypt this deployment's payloads`,
    );
  await stopRequested;
  await server.close();
  console.log('lazarus codec-server: stopped');
}

export async function codecServerCommand(args: readonly string[]): Promise<number> {
  try {
    const options = argumentsOf(args);
    if (options === 'help') {
      console.log(CODEC_SERVER_USAGE);
      return 0;
    }
    await serve(options);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`lazarus codec-server: ${error.message}\n${CODEC_SERVER_USAGE}`);
      return 2;
    }
    if (error instanceof LazarusError) {
      console.error(`lazarus codec-server: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
