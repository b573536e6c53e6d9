// A production-shaped Temporal cluster on one machine (docs/operations.md#a-production-shaped-cluster-on-one-machine):
// PostgreSQL, Temporal Server's four services as separate processes from one configuration, mTLS
// everywhere from a CA made for it, the namespace and Lazarus's search attributes registered over
// TLS, and optionally the Web UI. Every process runs under the guardian; stop() removes what it made.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { LAZARUS_SEARCH_ATTRIBUTES } from '../../contracts/search-attributes.ts';
import { pollUntil } from '../../lib/poll-until.ts';
import type { GuardedProcess } from '../process/guarded-process.ts';
import { spawnGuarded } from '../process/guarded-process.ts';
import { findFreePort, findFreePortInRange } from '../process/free-port.ts';
import { createCertificateAuthority, issueCertificate } from '../tls/certificate-authority.ts';
import type { TemporalServerBinaries } from '../temporal/temporal-server.ts';
import { ensureTemporalCli } from '../temporal/temporal-cli.ts';
import { ensureTemporalServer } from '../temporal/temporal-server.ts';
import type { Postgres } from './postgres.ts';
import { startPostgres } from './postgres.ts';
import type { ClusterTls, ServerConfigInput, ServiceName } from './server-config.ts';
import { DATABASES, renderDynamicConfig, renderServerConfig, SERVICES } from './server-config.ts';
import type { WebUi } from './web-ui.ts';
import { startWebUi } from './web-ui.ts';

const run = promisify(execFile);
const SERVER_NAME = 'localhost';
/** How long closed workflows stay readable; a week covers a weekend's incidents. */
const RETENTION = '168h';

export interface ClusterOptions {
  /** Where everything goes; a new temporary directory, removed by stop(), when not given. */
  directory?: string;
  /** The frontend's gRPC port; a free one when not given. */
  frontendPort?: number;
  namespace?: string;
  /** Serve the Web UI against the cluster (on this port, or a free one for 0). */
  uiPort?: number;
  /** The Web UI's codec endpoint, for encrypted payloads. */
  uiCodecEndpoint?: string;
  log?: (line: string) => void;
}

/** A client's TLS material: what `lazarus`, the worker and the receiver are given. */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
  serverName: string;
}

export interface Cluster {
  readonly address: string;
  readonly namespace: string;
  readonly directory: string;
  readonly clientTls: ClientTls;
  /** TEMPORAL_* settings that connect a Lazarus process the standard way. */
  readonly env: Record<string, string>;
  /** A temporal.toml with the same settings as profile `lazarus-cluster`. */
  readonly profileFile: string;
  readonly uiUrl: string | undefined;
  /** A connection with the client certificate, for tests and set-up. */
  connect(): Promise<Connection>;
  /** SIGKILLs one service: no shutdown, as when its machine dies. */
  kill(service: ServiceName): Promise<void>;
  /** Starts a killed or stopped service again. */
  start(service: ServiceName): Promise<void>;
  restartPostgres(): Promise<void>;
  stop(): Promise<void>;
}

async function allocatePorts(
  frontendPort: number | undefined,
): Promise<ServerConfigInput['ports']> {
  const taken = new Set<number>(frontendPort === undefined ? [] : [frontendPort]);
  const next = async (): Promise<number> => {
    for (;;) {
      // Temporal records membership ports as a PostgreSQL smallint: below 32768, so no ephemeral port.
      const port = await findFreePortInRange(20_000, 32_768);
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const service = async (name: ServiceName) => ({
    grpc: name === 'frontend' && frontendPort !== undefined ? frontendPort : await next(),
    membership: await next(),
  });
  return {
    history: await service('history'),
    matching: await service('matching'),
    frontend: await service('frontend'),
    worker: await service('worker'),
    frontendHttp: await next(),
  };
}

async function makeCertificates(
  directory: string,
): Promise<{ tls: ClusterTls; client: ClientTls }> {
  const ca = await createCertificateAuthority(directory, 'Lazarus local cluster CA');
  const altNames = ['IP:127.0.0.1', `DNS:${SERVER_NAME}`];
  const node = await issueCertificate(ca, {
    name: 'node',
    commonName: SERVER_NAME,
    altNames,
    usage: ['serverAuth', 'clientAuth'],
  });
  const systemWorker = await issueCertificate(ca, {
    name: 'system-worker',
    commonName: 'temporal-system-worker',
    usage: ['clientAuth'],
  });
  const client = await issueCertificate(ca, {
    name: 'lazarus-client',
    commonName: 'lazarus',
    usage: ['clientAuth'],
  });
  return {
    tls: { ca: ca.cert, node, systemWorker, serverName: SERVER_NAME },
    client: { ca: ca.cert, ...client, serverName: SERVER_NAME },
  };
}

async function migrateDatabases(
  binaries: TemporalServerBinaries,
  postgres: Postgres,
): Promise<void> {
  // The password goes by environment, never on a command line other users can read.
  const env = { ...process.env, SQL_PASSWORD: postgres.password };
  for (const { name: database, schema } of Object.values(DATABASES)) {
    const tool = (args: readonly string[]) =>
      run(
        binaries.sqlTool,
        [
          ...['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(postgres.port)],
          ...['-u', postgres.user, '--db', database],
          ...args,
        ],
        { env, timeout: 120_000 },
      );
    await tool(['create-database']);
    await tool(['setup-schema', '-v', '0.0']);
    await tool(['update-schema', '-d', join(binaries.schemaDir, schema, 'versioned')]);
  }
}

function connectionOptions(address: string, client: ClientTls) {
  return async () => {
    const [ca, cert, key] = await Promise.all([
      readFile(client.ca),
      readFile(client.cert),
      readFile(client.key),
    ]);
    return Connection.connect({
      address,
      connectTimeout: 5_000,
      tls: {
        serverNameOverride: client.serverName,
        serverRootCACertificate: ca,
        clientCertPair: { crt: cert, key },
      },
    });
  };
}

/**
 * Registers the namespace and the search attributes with the Temporal CLI over mTLS, as an operator
 * would (`env` carries the TEMPORAL_* connection settings), once the frontend answers.
 */
async function registerNamespace(
  connect: () => Promise<Connection>,
  env: Record<string, string>,
  services: ReadonlyMap<string, GuardedProcess>,
): Promise<void> {
  await pollUntil(
    'the cluster frontend to answer over mTLS',
    async () => {
      for (const [name, service] of services)
        if (service.hasExited())
          throw new Error(`Temporal's ${name} service exited:\n${service.outputTail(5)}`);
      try {
        const connection = await connect();
        await connection.workflowService.getSystemInfo({});
        await connection.close();
        return true;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const cli = await ensureTemporalCli();
  const temporalCli = (args: readonly string[]) =>
    run(cli, args, { env: { ...process.env, ...env }, timeout: 60_000 });
  const namespace = env.TEMPORAL_NAMESPACE ?? '';
  await temporalCli([
    'operator',
    'namespace',
    'create',
    '--namespace',
    namespace,
    '--retention',
    RETENTION,
  ]);
  // The frontend learns of a new namespace on its next refresh (up to 10 s): until then it answers
  // "not found", so each call is repeated until it succeeds. One attribute a call: given several
  // names and one type, CLI 1.5.1 creates only the first.
  for (const [name, type] of Object.entries(LAZARUS_SEARCH_ATTRIBUTES))
    await pollUntil(
      `search attribute ${name}`,
      () =>
        temporalCli([
          'operator',
          'search-attribute',
          'create',
          '--name',
          name,
          '--type',
          type,
        ]).then(
          () => true,
          (error: unknown) => (/already exists/i.test(String(error)) ? true : undefined),
        ),
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
  // Wait until every Lazarus attribute is listed and searchable, as the first worker and
  // `lazarus show` need.
  await pollUntil(
    `namespace ${namespace} to be searchable`,
    async () => {
      const connection = await connect();
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace,
        });
        if (Object.keys(LAZARUS_SEARCH_ATTRIBUTES).some((name) => !(name in customAttributes)))
          return undefined;
        await connection.workflowService.countWorkflowExecutions({
          namespace,
          query: Object.keys(LAZARUS_SEARCH_ATTRIBUTES)
            .map((name) => `${name} = "probe"`)
            .join(' AND '),
        });
        return true;
      } catch {
        return undefined;
      } finally {
        await connection.close();
      }
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const namespace = options.namespace ?? 'lazarus';
  const isTemporary = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'lazarus-cluster-')));
  await mkdir(join(directory, 'config'), { recursive: true, mode: 0o700 });
  const processes = new Map<string, GuardedProcess>();
  let postgres: Postgres | undefined;
  let ui: WebUi | undefined;
  const stop = async () => {
    await ui?.stop();
    // The worker and frontend first, so that history and matching are not left serving nobody.
    for (const name of [...SERVICES].reverse()) await processes.get(name)?.stop();
    await postgres?.stop();
    if (isTemporary) await rm(directory, { recursive: true, force: true });
  };
  try {
    const binaries = await ensureTemporalServer({ log });
    log('generating the cluster CA and mTLS certificates');
    const certificates = await makeCertificates(join(directory, 'tls'));
    const ports = await allocatePorts(options.frontendPort);
    log('starting PostgreSQL and creating the temporal and temporal_visibility databases');
    postgres = await startPostgres({
      directory: join(directory, 'postgres'),
      port: await findFreePort(),
      logFile: join(directory, 'postgres.log'),
    });
    await migrateDatabases(binaries, postgres);
    const dynamicConfigFile = join(directory, 'config', 'dynamicconfig.yaml');
    await writeFile(dynamicConfigFile, renderDynamicConfig());
    // The file holds the database password: readable by its owner only.
    await writeFile(
      join(directory, 'config', 'production.yaml'),
      renderServerConfig({
        ports,
        database: postgres,
        tls: certificates.tls,
        dynamicConfigFile,
      }),
      { mode: 0o600 },
    );
    const startService = (service: ServiceName): Promise<void> => {
      processes.set(
        service,
        spawnGuarded(
          binaries.server,
          [
            ...['--root', directory, '--config', 'config', '--env', 'production'],
            ...['--allow-no-auth', 'start', '--service', service],
          ],
          { logFile: join(directory, `${service}.log`), graceMs: 10_000 },
        ),
      );
      return Promise.resolve();
    };
    log(`starting Temporal Server's services: ${SERVICES.join(', ')}`);
    for (const service of SERVICES) await startService(service);
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    const connect = connectionOptions(address, certificates.client);
    const client = certificates.client;
    const env = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: client.ca,
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
      TEMPORAL_TLS_SERVER_NAME: client.serverName,
    };
    await registerNamespace(connect, env, processes);
    if (options.uiPort !== undefined) {
      ui = await startWebUi({
        directory: join(directory, 'ui'),
        port: options.uiPort === 0 ? await findFreePort() : options.uiPort,
        frontend: address,
        namespace,
        tls: certificates.client,
        ...(options.uiCodecEndpoint === undefined
          ? {}
          : { codecEndpoint: options.uiCodecEndpoint }),
      });
    }
    const profileFile = join(directory, 'temporal.toml');
    await writeFile(
      profileFile,
      [
        '[profile.lazarus-cluster]',
        `address = "${address}"`,
        `namespace = "${namespace}"`,
        '[profile.lazarus-cluster.tls]',
        `server_ca_cert_path = "${client.ca}"`,
        `client_cert_path = "${client.cert}"`,
        `client_key_path = "${client.key}"`,
        `server_name = "${client.serverName}"`,
        '',
      ].join('\n'),
    );
    return {
      address,
      namespace,
      directory,
      clientTls: client,
      env,
      profileFile,
      uiUrl: ui?.url,
      connect,
      async kill(service) {
        const guarded = processes.get(service);
        if (guarded === undefined || guarded.hasExited()) return;
        await guarded.kill();
      },
      start: startService,
      async restartPostgres() {
        await postgres?.restart();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
