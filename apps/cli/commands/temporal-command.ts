// The frame every Temporal-facing `lazarus` command shares: options parsed strictly, --help,
// the Temporal connection the standard way (lazarus.yaml's temporal section when there is one,
// TEMPORAL_* and temporal.toml always), --json, and failures turned into one clear line on stderr
// with exit status 1 (2 for bad usage), never a stack trace.
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import {
  Client,
  Connection,
  NamespaceNotFoundError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { configFileSchema } from '../../../config/config-schema.ts';
import type { LazarusConfig } from '../../../config/load-config.ts';
import { configPathOf, DEFAULT_CONFIG_PATH, loadConfig } from '../../../config/load-config.ts';
import { incidentSettingsOf } from '../../../config/incident-settings.ts';
import { temporalConnectConfig } from '../../../config/temporal-connection.ts';
import { incidentStartOptions } from '../../../client/incident-start-options.ts';
import { dataConverterOf } from '../../../client/payload-encryption/data-converter.ts';
import { ENCRYPTED_ENCODING } from '../../../client/payload-encryption/aes-gcm-payload-codec.ts';
import type { IncidentStartOptions } from '../../../client/send-host-report.ts';
import type { OperatorDecision } from '../../../contracts/incident-messages.ts';

export interface Command {
  /** Runs with the arguments after the command's name; resolves to the exit status. */
  run: (args: readonly string[]) => Promise<number>;
}

type OptionName = 'operator' | 'reason' | 'reporter' | 'closed-since' | 'workflows';

/** Each option's help line; its second word is the value's placeholder in the usage line. */
const OPTION_HELP: Readonly<Record<OptionName, string>> = {
  operator: '--operator NAME    who decides, for the record (default: your login name)',
  reason: '--reason TEXT      why, for the record (required)',
  reporter: '--reporter NAME    who reports the failure (default: lazarus-cli)',
  'closed-since':
    '--closed-since AGE also the runs closed within AGE: 30m, 12h, 7d; 0: open runs only (default: 7d)',
  workflows:
    "--workflows PATH   the workflow code to replay on (default: this build's workflows/index.ts)",
};

export interface CommandContext {
  client: Client;
  /** The client's payload conversion (lazarus.yaml's payload encryption), for workers a command runs. */
  dataConverter: DataConverter;
  /** The task queue the workers serve; the storm guard is the one of this queue. */
  taskQueue: string;
  /** How reports from here start incidents: this queue, with the configuration's incident settings. */
  incidents: IncidentStartOptions;
  /** The positional arguments, as many as the command declares (an optional last one may be absent). */
  positionals: string[];
  options: Partial<Record<OptionName, string>>;
  isJson: boolean;
  /** The operator's decision from --operator and --reason. */
  decision(): OperatorDecision;
  /** Prints `json` with --json, else `text`. */
  print(text: string, json: unknown): void;
}

export interface TemporalCommandSpec {
  name: string;
  /** Positional arguments as usage shows them: `<host>` required, `[host]` optional. */
  arguments: readonly string[];
  options: readonly OptionName[];
  description: string;
  /** A problem with the options' values, refused with exit status 2 before connecting. */
  checkOptions?(options: Partial<Record<OptionName, string>>): string | undefined;
  run(context: CommandContext): Promise<number>;
}

export class CommandFailed extends Error {}

/** The login name, for --operator's default: who ran the command is who decided. */
function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

function usageOf(spec: TemporalCommandSpec): string {
  const options = [
    ...spec.options.map((name) => OPTION_HELP[name]),
    '--config PATH      lazarus.yaml (default: LAZARUS_CONFIG, else ./lazarus.yaml if present; TEMPORAL_* always apply)',
    '--json             print JSON, for scripts',
  ];
  return (
    `usage: lazarus ${spec.name} ${[...spec.arguments, ...spec.options.map((name) => OPTION_HELP[name].split(/\s+/, 2).join(' '))].join(' ')}`.trimEnd() +
    `\n\n${spec.description}\n\noptions:\n${options.map((line) => `  ${line}`).join('\n')}`
  );
}

/** lazarus.yaml when named or present; Temporal's defaults (and TEMPORAL_*) otherwise. */
async function configFor(path: string | undefined): Promise<LazarusConfig | undefined> {
  const source = { env: process.env, ...(path === undefined ? {} : { path }) };
  if (
    path === undefined &&
    configPathOf(source) === DEFAULT_CONFIG_PATH &&
    !existsSync(DEFAULT_CONFIG_PATH)
  )
    return undefined;
  return loadConfig(source);
}

async function connect(config: LazarusConfig | undefined): Promise<{
  client: Client;
  dataConverter: DataConverter;
  taskQueue: string;
  incidents: IncidentStartOptions;
  close: () => Promise<void>;
}> {
  const defaults = configFileSchema.parse({});
  const temporal = config?.temporal ?? defaults.temporal;
  const incidents = incidentStartOptions({
    temporal,
    incident: config?.incident ?? incidentSettingsOf(defaults),
  });
  // Before connecting: a wrong key file is a configuration problem, not an unreachable Temporal.
  const dataConverter = config === undefined ? {} : await dataConverterOf(config);
  const { connectionOptions, namespace = 'default' } = temporalConnectConfig(temporal, process.env);
  const address = connectionOptions.address ?? 'localhost:7233';
  let connection: Connection;
  try {
    connection = await Connection.connect({ connectTimeout: 5_000, ...connectionOptions });
  } catch (error) {
    throw new CommandFailed(
      `cannot reach Temporal at ${address} (${error instanceof Error ? error.message : String(error)}); ` +
        'check that it runs and that TEMPORAL_ADDRESS (or temporal.profile in lazarus.yaml) points at it',
    );
  }
  return {
    client: new Client({ connection, namespace, dataConverter }),
    dataConverter,
    taskQueue: temporal.taskQueue,
    incidents,
    close: () => connection.close(),
  };
}

/** One line an operator can act on, for the errors commands meet. */
function describeFailure(error: unknown): string {
  if (error instanceof WorkflowNotFoundError) {
    return `no incident ${error.workflowId} found; lazarus incidents lists the open ones`;
  }
  if (error instanceof WorkflowUpdateFailedError) {
    return `refused: ${error.cause?.message ?? error.message}`;
  }
  // A cluster whose database is restarting answers so for a namespace that exists.
  if (error instanceof NamespaceNotFoundError) {
    return `Temporal answers that namespace '${error.namespace}' does not exist; if it does, the Temporal cluster cannot read it now (its database restarting or unreachable): try again, and if it persists check the namespace (temporal.namespace in lazarus.yaml, or TEMPORAL_NAMESPACE) and the cluster's services`;
  }
  // "Failed to describe workflow" says nothing of why: the gRPC status under it does.
  if (error instanceof ServiceError) {
    const status = error.cause?.message;
    return `${error.message}${status === undefined ? '' : ` (${status})`}: Temporal could not answer; try again, and if it persists check the Temporal cluster's services`;
  }
  const message = error instanceof Error ? error.message : String(error);
  // The SDK's "Unknown encoding: binary/encrypted": this command runs without the deployment's keys.
  if (message.includes(ENCRYPTED_ENCODING))
    return `${message}; this deployment encrypts its payloads: name the lazarus.yaml that lists its keys (temporal.payloadEncryption) with --config or LAZARUS_CONFIG`;
  return message;
}

export function temporalCommand(spec: TemporalCommandSpec): Command {
  return {
    async run(args) {
      const fail = (message: string, status: number): number => {
        console.error(`lazarus ${spec.name}: ${message}`);
        return status;
      };
      let parsed;
      try {
        parsed = parseArgs({
          args: [...args],
          strict: true,
          allowPositionals: true,
          options: {
            config: { type: 'string' },
            json: { type: 'boolean' },
            help: { type: 'boolean' },
            ...Object.fromEntries(spec.options.map((name) => [name, { type: 'string' as const }])),
          },
        });
      } catch (error) {
        return fail(
          `${error instanceof Error ? error.message : String(error)}\n${usageOf(spec)}`,
          2,
        );
      }
      const { values, positionals } = parsed;
      if (values.help === true) {
        console.log(usageOf(spec));
        return 0;
      }
      const required = spec.arguments.filter((name) => name.startsWith('<')).length;
      if (positionals.length < required || positionals.length > spec.arguments.length) {
        return fail(
          `expects ${spec.arguments.join(' ') || 'no arguments'}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${usageOf(spec)}`,
          2,
        );
      }
      const given: Readonly<Record<string, string | boolean | undefined>> = values;
      const options = Object.fromEntries(
        spec.options.flatMap((name) => {
          const value = given[name];
          return typeof value === 'string' ? [[name, value]] : [];
        }),
      ) as Partial<Record<OptionName, string>>;
      if (spec.options.includes('reason') && (options.reason ?? '').trim() === '') {
        return fail('--reason TEXT is required: the incident records who decided and why', 2);
      }
      const problem = spec.checkOptions?.(options);
      if (problem !== undefined) return fail(`${problem}\n${usageOf(spec)}`, 2);
      const isJson = values.json === true;
      let connection;
      try {
        const config = await configFor(
          typeof values.config === 'string' ? values.config : undefined,
        );
        connection = await connect(config);
        return await spec.run({
          client: connection.client,
          dataConverter: connection.dataConverter,
          taskQueue: connection.taskQueue,
          incidents: connection.incidents,
          positionals,
          options,
          isJson,
          decision: () => ({
            operator: options.operator ?? loginName(),
            reason: options.reason ?? '',
          }),
          print: (text, json) => {
            console.log(isJson ? JSON.stringify(json, null, 2) : text);
          },
        });
      } catch (error) {
        return fail(describeFailure(error), 1);
      } finally {
        await connection?.close();
      }
    },
  };
}
