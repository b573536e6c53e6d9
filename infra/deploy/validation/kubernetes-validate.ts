// Validates the deployment's Kubernetes manifests (infra/deploy/) against the JSON schemas of a
// stated Kubernetes version, offline: kubernetes-validate, from PyPI, carries those schemas (1.25 to
// 1.37, with strict variants that refuse unknown fields), so nothing is downloaded at test time.
// Installed once per machine into a virtual environment cached by version, like the Temporal
// binaries: $HOME/.cache/lazarus/kubernetes-validate/<version>/venv.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot } from '../../temporal/temporal-cli.ts';

const run = promisify(execFile);

export const KUBERNETES_VALIDATE_VERSION = '1.37.0';
/** Every package pinned, the tool's dependencies included (installed with --no-deps). */
const REQUIREMENTS = join(import.meta.dirname, 'kubernetes-validate-requirements.txt');

function cacheDir(env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), 'kubernetes-validate', KUBERNETES_VALIDATE_VERSION);
}

/**
 * The environment's interpreter. The tool runs as `python -m kubernetes_validate`, never through its
 * console script: the script's first line names the directory it was built in, which the atomic
 * rename into the cache changes, while the interpreter finds its environment wherever it is.
 */
export function cachedKubernetesValidatePython(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'venv', 'bin', 'python');
}

async function installedVersion(python: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(python, ['-m', 'kubernetes_validate', '--version'], {
      timeout: 60_000,
    });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The cached interpreter that runs kubernetes-validate, installed first when missing (about 30 s). */
export async function ensureKubernetesValidate(
  options: { env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const python = cachedKubernetesValidatePython(env);
  if ((await installedVersion(python)) === KUBERNETES_VALIDATE_VERSION) return python;
  const log =
    options.log ??
    ((line: string) => {
      console.error(line);
    });
  log(
    `kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} is not cached; installing it from PyPI (once per machine)`,
  );
  const target = cacheDir(env);
  await mkdir(target, { recursive: true });
  // Built aside and moved into place by rename, so a concurrent run never sees half an environment.
  const workDir = await mkdtemp(join(target, '.build-'));
  try {
    const venv = join(workDir, 'venv');
    await run('python3', ['-m', 'venv', venv], { env, timeout: 5 * 60_000 });
    await run(
      join(venv, 'bin', 'python'),
      [
        ...['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input'],
        ...['--only-binary=:all:', '--no-deps', '--requirement', REQUIREMENTS],
      ],
      { env, timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    await rm(join(target, 'venv'), { recursive: true, force: true });
    await rename(venv, join(target, 'venv'));
  } catch (error) {
    // A concurrent run may have won the rename; its environment serves as well as ours.
    if ((await installedVersion(python)) !== KUBERNETES_VALIDATE_VERSION)
      throw new Error(
        `could not install kubernetes-validate ${KUBERNETES_VALIDATE_VERSION} into ${target}: ${error instanceof Error ? error.message : String(error)}\nIt needs Python 3 with its venv module (Debian: apt-get install python3-venv) and PyPI.`,
      );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const version = await installedVersion(python);
  if (version !== KUBERNETES_VALIDATE_VERSION)
    throw new Error(
      `the installed kubernetes-validate reports ${version ?? 'nothing'}, not ${KUBERNETES_VALIDATE_VERSION}`,
    );
  return python;
}

/** Each resource the tool checked, as `kind/name` (lower case, as it prints them), and what it said. */
export interface ManifestVerdicts {
  /** `<file> <kind>/<name>` for every resource that passed. */
  passed: string[];
  /** Every other line the tool printed: a failure, or a resource it has no schema for. */
  problems: string[];
}

/**
 * Validates `files` in strict mode (an unknown field is an error, as it is for `kubectl apply
 * --validate=strict`) against Kubernetes `kubernetesVersion` (major.minor.0).
 */
export async function validateKubernetesManifests(
  python: string,
  files: readonly string[],
  kubernetesVersion: string,
): Promise<ManifestVerdicts> {
  let output: string;
  try {
    ({ stdout: output } = await run(
      python,
      ['-m', 'kubernetes_validate', '--strict', '-k', kubernetesVersion, ...files],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    // It exits 1 when a resource fails; what it printed says which.
    output = (error as { stdout?: string }).stdout ?? String(error);
  }
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const passed = lines.flatMap((line) => {
    const match = /^INFO (\S+) passed for resource (\S+) against version /.exec(line);
    return match === null ? [] : [`${match[1] ?? ''} ${match[2] ?? ''}`];
  });
  return { passed, problems: lines.filter((line) => !line.startsWith('INFO ')) };
}
