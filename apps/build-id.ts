// Which build of Lazarus this is: the package version `lazarus --version` prints, and the build ID a
// versioned worker declares to Temporal (docs/operations.md#upgrades). Two builds whose workflow
// code differs must never share a build ID, so it carries the commit, and marks a checkout with
// uncommitted changes as such.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

/**
 * The build ID from what is known about the build: LAZARUS_BUILD_ID when a packaging step stamped
 * one (it knows best, e.g. an image built from a checkout), else the package version with the
 * commit as semver build metadata (`0.1.0+1b536f6`, `0.1.0+1b536f6.dirty`), else the version alone.
 */
export function buildIdFrom(build: {
  stamped: string | undefined;
  version: string;
  commit: string | undefined;
}): string {
  const stamped = build.stamped?.trim();
  if (stamped !== undefined && stamped !== '') return stamped;
  return build.commit === undefined ? build.version : `${build.version}+${build.commit}`;
}

function git(...args: string[]): string {
  return execFileSync('git', ['-C', REPO_ROOT, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

/**
 * The short commit of this checkout, `.dirty` when tracked files changed since it; undefined when
 * Lazarus is not a git checkout of its own (no git, or an installed copy inside another
 * repository, whose commit would say nothing about Lazarus's code).
 */
export function checkoutCommit(): string | undefined {
  try {
    if (realpathSync(git('rev-parse', '--show-toplevel')) !== realpathSync(REPO_ROOT))
      return undefined;
    const commit = git('rev-parse', '--short', 'HEAD');
    const isDirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return isDirty ? `${commit}.dirty` : commit;
  } catch {
    return undefined;
  }
}

/** This build's ID, as a versioned worker declares it. */
export function buildId(env: Readonly<Record<string, string | undefined>>): string {
  return buildIdFrom({
    stamped: env.LAZARUS_BUILD_ID,
    version: packageVersion(),
    commit: checkoutCommit(),
  });
}
