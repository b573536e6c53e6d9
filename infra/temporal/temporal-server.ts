// Provisions Temporal Server, its SQL schema tool and their PostgreSQL schemas, and the Web UI
// server, each at one pinned version, built from the official source through the Go module proxy
// (the only route these machines have: no release binary is on a registry). Cached like the CLI,
// by version: $HOME/.cache/lazarus/temporal-server/<version>/{temporal-server,temporal-sql-tool,
// schema/} and $HOME/.cache/lazarus/temporal-ui/<version>/temporal-ui.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, temporalVersionOf } from './temporal-cli.ts';

const run = promisify(execFile);

/** The engine the pinned CLI embeds, so the dev server and the cluster run the same server. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = 'go.temporal.io/server';
const PACKAGES = { 'temporal-server': 'cmd/server', 'temporal-sql-tool': 'cmd/tools/sql' } as const;
/** The UI server the pinned CLI embeds; its module carries the built Web UI. */
export const TEMPORAL_UI_VERSION = '2.42.1';
const UI_PACKAGE = `github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}`;
/** Temporal's postgres12 plugin schemas, which PostgreSQL 15 runs. */
const SCHEMA_DIR = join('schema', 'postgresql', 'v12');

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** Holds temporal/ and visibility/, each with its versioned/ migrations. */
  schemaDir: string;
}

export function cachedServerBinaries(env: NodeJS.ProcessEnv = process.env): TemporalServerBinaries {
  const dir = join(cacheRoot(env), 'temporal-server', TEMPORAL_SERVER_VERSION);
  return {
    server: join(dir, 'temporal-server'),
    sqlTool: join(dir, 'temporal-sql-tool'),
    schemaDir: join(dir, 'schema'),
  };
}

async function isUsable(binaries: TemporalServerBinaries): Promise<boolean> {
  try {
    await Promise.all([stat(binaries.sqlTool), stat(join(binaries.schemaDir, 'temporal'))]);
    return (await temporalVersionOf(binaries.server)) === TEMPORAL_SERVER_VERSION;
  } catch {
    return false;
  }
}

/**
 * `go install`s into a private directory under `target`, and lets `publish` move the results into
 * place by rename, so two runs at once never see half a build. The flags are the official release
 * build's (the server's Makefile): CGO off, and the `disable_grpc_modules` tag, which leaves out a
 * gRPC client the server never uses.
 */
async function goInstall(
  target: string,
  packages: readonly string[],
  env: NodeJS.ProcessEnv,
  publish: (workDir: string, go: (args: readonly string[]) => Promise<string>) => Promise<void>,
): Promise<void> {
  await mkdir(target, { recursive: true });
  const workDir = await mkdtemp(join(target, '.build-'));
  const options = {
    env: { ...env, GOBIN: workDir, CGO_ENABLED: '0' },
    timeout: 60 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  };
  const go = async (args: readonly string[]) => (await run('go', args, options)).stdout;
  try {
    await go([
      'install',
      '-trimpath',
      '-tags',
      'disable_grpc_modules',
      '-ldflags',
      '-s -w',
      ...packages,
    ]);
    await publish(workDir, go);
  } catch (error) {
    throw new Error(
      `could not build ${packages.join(' ')}: ${error instanceof Error ? error.message : String(error)}\nIt needs Go (Debian: apt-get install golang-go, Go >= 1.23) and the Go module proxy.`,
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function buildServer(target: string, env: NodeJS.ProcessEnv): Promise<void> {
  const packages = Object.values(PACKAGES).map(
    (path) => `${MODULE}/${path}@v${TEMPORAL_SERVER_VERSION}`,
  );
  await goInstall(target, packages, env, async (workDir, go) => {
    const module = await go(['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`]);
    const source = (JSON.parse(module) as { Dir?: string }).Dir;
    if (source === undefined) throw new Error(`go mod download named no directory for ${MODULE}`);
    // The module cache is read-only and may be cleaned: the schemas are copied beside the binaries.
    await cp(join(source, SCHEMA_DIR), join(workDir, 'schema'), { recursive: true });
    const cached = cachedServerBinaries(env);
    await rm(cached.schemaDir, { recursive: true, force: true });
    await rename(join(workDir, 'schema'), cached.schemaDir);
    await rename(join(workDir, 'sql'), cached.sqlTool);
    await rename(join(workDir, 'server'), cached.server);
  });
}

/** The cached binaries, built first when missing (several minutes, once per machine). */
export async function ensureTemporalServer(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<TemporalServerBinaries> {
  const env = options.env ?? process.env;
  const cached = cachedServerBinaries(env);
  if (await isUsable(cached)) return cached;
  (
    options.log ??
    ((line: string) => {
      console.error(line);
    })
  )(
    `Temporal Server ${TEMPORAL_SERVER_VERSION} is not cached; building it from ${MODULE} with Go (once per machine, several minutes)`,
  );
  await buildServer(join(cacheRoot(env), 'temporal-server', TEMPORAL_SERVER_VERSION), env);
  const version = await temporalVersionOf(cached.server);
  if (version !== TEMPORAL_SERVER_VERSION)
    throw new Error(`built Temporal Server reports ${version}, not ${TEMPORAL_SERVER_VERSION}`);
  return cached;
}

/** The cached Web UI server, built first when missing (a few minutes, once per machine). */
export async function ensureTemporalUi(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const target = join(cacheRoot(env), 'temporal-ui', TEMPORAL_UI_VERSION);
  const cached = join(target, 'temporal-ui');
  try {
    await stat(cached);
    return cached;
  } catch {
    // not built yet
  }
  (
    options.log ??
    ((line: string) => {
      console.error(line);
    })
  )(
    `the Temporal Web UI server ${TEMPORAL_UI_VERSION} is not cached; building it with Go (once per machine)`,
  );
  await goInstall(target, [UI_PACKAGE], env, async (workDir) => {
    await rename(join(workDir, 'server'), cached);
  });
  return cached;
}
