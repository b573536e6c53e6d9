#!/usr/bin/env node
// Makes a fresh machine ready for `npm test` and `npm run demo`: Debian packages, npm packages and
// the pinned Temporal CLI. Plain Node with no dependencies, because it runs before `npm ci` has.
// Each step is skipped when already satisfied, so a second run costs about a second.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @param {string} message */
function fail(message) {
  console.error(`prepare: ${message}`);
  process.exit(1);
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
function runVisible(command, args, env = process.env) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
  });
  if (result.error) fail(`${command} could not be started: ${result.error.message}`);
  if (result.status !== 0)
    fail(`\`${command} ${args.join(' ')}\` failed with status ${String(result.status)}`);
}

/** @param {string} name */
function isDebianPackageInstalled(name) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function installDebianPackages() {
  const wanted = readFileSync(join(root, 'infra', 'setup', 'debian-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
  const missing = wanted.filter((name) => !isDebianPackageInstalled(name));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    fail(
      `missing Debian packages: ${missing.join(' ')}; install them with: sudo apt-get install ${missing.join(' ')}`,
    );
  }
  console.error(`prepare: installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  /** @param {string[]} args */
  const aptGet = (args) => {
    if (isRoot) runVisible('apt-get', args, env);
    else runVisible('sudo', ['-n', 'apt-get', ...args], env);
  };
  aptGet(['update', '-qq']);
  aptGet(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

function installNpmPackages() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).digest('hex');
  const stamp = join(root, 'node_modules', '.lazarus-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;
  // Not `npm ci`: the registry these machines reach lacks some other platforms' optional native
  // packages (e.g. @rollup/rollup-darwin-arm64), so the lock file cannot list them and `npm ci`
  // rejects it as out of sync. `npm install --no-save` installs exactly the locked versions and
  // never rewrites package.json or the lock.
  console.error('prepare: installing the locked npm packages');
  runVisible('npm', ['install', '--no-save', '--no-audit', '--no-fund']);
  writeFileSync(stamp, digest);
}

/**
 * Runs a provisioning script of the repository (TypeScript, once npm's packages are in place).
 * @param {string[]} script its path below the repository, one segment each
 * @param {string} what what it provisions, for the failure
 */
function provision(script, what) {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(root, ...script)], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch {
    fail(`${what} could not be provisioned (see above)`);
  }
}

installDebianPackages();
installNpmPackages();
provision(['infra', 'temporal', 'install-cli.ts'], 'the Temporal CLI');
// The deployment tests validate the Kubernetes manifests with it (infra/deploy/).
provision(
  ['infra', 'deploy', 'validation', 'install-kubernetes-validate.ts'],
  'kubernetes-validate',
);
