// PostgreSQL from Debian's packages in a private data directory, listening on loopback only, for
// the local production-shaped cluster (docs/operations.md#a-production-shaped-cluster-on-one-machine).
// The server runs in the foreground under the guardian, so it never outlives whoever started it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GuardedProcess } from '../process/guarded-process.ts';
import { spawnGuarded } from '../process/guarded-process.ts';
import { pollUntil } from '../../lib/poll-until.ts';

const run = promisify(execFile);
const DEBIAN_POSTGRES = '/usr/lib/postgresql';
/** The system account Debian's package creates: PostgreSQL refuses to run as root. */
const SERVICE_ACCOUNT = 'postgres';

export interface PostgresOptions {
  /** Its own directory: the data directory and the socket go inside. */
  directory: string;
  port: number;
  logFile: string;
}

export interface Postgres {
  readonly port: number;
  /** The role Temporal connects as, with the right to create its databases. */
  readonly user: string;
  readonly password: string;
  /** Fast shutdown (sessions are cut, nothing is lost), then started again on the same data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

interface RunAs {
  /** The command and arguments that run `binary` as the account owning the data. */
  command(binary: string, args: readonly string[]): [string, string[]];
  ids?: { uid: number; gid: number };
}

async function newestBinDir(): Promise<string> {
  let versions: string[];
  try {
    versions = await readdir(DEBIAN_POSTGRES);
  } catch {
    throw new Error(
      `PostgreSQL is not installed (no ${DEBIAN_POSTGRES}); install Debian's postgresql package (apt-get install postgresql)`,
    );
  }
  const newest = versions
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error(`no PostgreSQL version under ${DEBIAN_POSTGRES}`);
  return join(DEBIAN_POSTGRES, newest, 'bin');
}

async function runAs(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { command: (binary, args) => [binary, [...args]] };
  const id = async (flag: string) =>
    Number((await run('id', [flag, SERVICE_ACCOUNT])).stdout.trim());
  let ids: { uid: number; gid: number };
  try {
    ids = { uid: await id('-u'), gid: await id('-g') };
  } catch {
    throw new Error(
      `running as root, PostgreSQL must run as the ${SERVICE_ACCOUNT} account, which does not exist; install Debian's postgresql package or run as an ordinary user`,
    );
  }
  // setpriv execs the server itself (runuser would stand between and turn a fast shutdown's
  // SIGINT into SIGTERM, PostgreSQL's smart shutdown, which waits for Temporal to disconnect).
  const setpriv = [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--init-groups', '--'];
  return { command: (binary, args) => ['setpriv', [...setpriv, binary, ...args]], ids };
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const bin = await newestBinDir();
  const owner = await runAs();
  const dataDir = join(options.directory, 'data');
  const socketDir = join(options.directory, 'socket');
  await mkdir(socketDir, { recursive: true });
  const superPassword = randomBytes(18).toString('base64url');
  const password = randomBytes(18).toString('base64url');
  const passwordFile = join(options.directory, 'superuser-password');
  await writeFile(passwordFile, `${superPassword}\n`, { mode: 0o600 });
  if (owner.ids) {
    // The cluster's directory is private to root; the service account only needs to pass through.
    await chmod(join(options.directory, '..'), 0o711);
    for (const path of [options.directory, socketDir, passwordFile])
      await chown(path, owner.ids.uid, owner.ids.gid);
  }
  const [initdb, initdbArgs] = owner.command(join(bin, 'initdb'), [
    '--pgdata',
    dataDir,
    '--username',
    'postgres',
    `--pwfile=${passwordFile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=peer',
    '--encoding=UTF8',
    '--no-instructions',
  ]);
  await run(initdb, initdbArgs, { timeout: 120_000 });
  const start = (): GuardedProcess => {
    const [command, args] = owner.command(join(bin, 'postgres'), [
      ...['-D', dataDir, '-p', String(options.port), '-h', '127.0.0.1', '-k', socketDir],
    ]);
    return spawnGuarded(command, args, {
      logFile: options.logFile,
      graceMs: 30_000,
      stopSignal: 'SIGINT',
    });
  };
  const superuser = { PGPASSWORD: superPassword };
  const isReady = async (server: GuardedProcess): Promise<boolean> => {
    if (server.hasExited())
      throw new Error(`PostgreSQL exited during start-up:\n${server.outputTail()}`);
    try {
      await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(options.port)]);
      return true;
    } catch {
      return false;
    }
  };
  const waitReady = (server: GuardedProcess) =>
    pollUntil(
      `PostgreSQL on 127.0.0.1:${options.port} to accept connections`,
      async () => ((await isReady(server)) ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  let server = start();
  await waitReady(server);
  await run(
    'psql',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(options.port),
      '-U',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `CREATE ROLE temporal LOGIN CREATEDB PASSWORD '${password}'`,
    ],
    { env: { ...process.env, ...superuser }, timeout: 30_000 },
  );
  return {
    port: options.port,
    user: 'temporal',
    password,
    async restart() {
      await server.stop();
      server = start();
      await waitReady(server);
    },
    async stop() {
      await server.stop();
    },
  };
}
