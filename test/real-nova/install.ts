// Installs what the real-Nova tier needs, once: Debian's Nova 26.2.2 (Zed), Placement, Keystone,
// RabbitMQ and PostgreSQL as Python modules and servers, plus nova-common's files unpacked (not
// installed) into a cache under the OS temp dir. Each step is skipped when already satisfied.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const packageList = new URL('./debian-packages.txt', import.meta.url);

export interface RealNovaInstallation {
  /** Nova's API pipeline definition, from nova-common unpacked with `dpkg -x`. */
  novaApiPaste: string;
  /** The PostgreSQL server binaries (initdb, postgres). */
  postgresBin: string;
  /**
   * RabbitMQ's own start script. Debian's /usr/sbin wrapper switches to the rabbitmq user and
   * its system-wide directories; this one runs as us with the directories we name.
   */
  rabbitmqServer: string;
  /** Debian's interpreter, which sees the packages' modules (a pyenv or venv python3 on PATH does not). */
  python: string;
}

function isInstalled(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

function aptGet(args: string[], cwd?: string): void {
  // No prompts; the container's policy-rc.d (or its absence of init) decides whether services would
  // start, and we never use the system instances anyway: everything runs on our own loopback ports.
  const result = spawnSync('apt-get', ['-qq', ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.status !== 0) {
    throw new Error(
      `apt-get ${args.join(' ')} failed with status ${String(result.status)}; run it by hand to see why`,
    );
  }
}

function wantedPackages(): string[] {
  return readFileSync(packageList, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function installPackages(): void {
  const missing = wantedPackages().filter((name) => !isInstalled(name));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')}; install them as root: apt-get install --no-install-recommends ${missing.join(' ')}`,
    );
  }
  console.error(`real-nova: installing ${missing.join(' ')}`);
  try {
    aptGet(['install', '-y', '--no-install-recommends', ...missing]);
  } catch {
    // A fresh machine's package lists may be stale or empty.
    aptGet(['update']);
    aptGet(['install', '-y', '--no-install-recommends', ...missing]);
  }
}

/**
 * nova-common holds nova-manage, nova-api-wsgi and api-paste.ini, but installing it runs debconf
 * and dbconfig. Unpacking its .deb gives the same files without any of that
 * (docs/nova-and-bmc-facts.md#real-nova-tier).
 */
function unpackNovaCommon(cache: string): string {
  const root = join(cache, 'nova-common');
  const apiPaste = join(root, 'usr', 'share', 'nova-common', 'api-paste.ini');
  if (existsSync(apiPaste)) return apiPaste;
  const download = join(cache, 'download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  // Writable by apt's unprivileged downloader, which otherwise warns and downloads as root.
  chmodSync(download, 0o777);
  aptGet(['download', 'nova-common'], download);
  const deb = readdirSync(download).find(
    (name) => name.startsWith('nova-common_') && name.endsWith('.deb'),
  );
  if (!deb) throw new Error(`apt-get download nova-common left no .deb in ${download}`);
  rmSync(root, { recursive: true, force: true });
  execFileSync('dpkg', ['-x', join(download, deb), root]);
  if (!existsSync(apiPaste))
    throw new Error(
      `${deb} has no ${apiPaste.slice(root.length)}; has the package layout changed?`,
    );
  return apiPaste;
}

function packageFile(pkg: string, suffix: string): string {
  const path = execFileSync('dpkg-query', ['-L', pkg], { encoding: 'utf8' })
    .split('\n')
    .find((p) => p.endsWith(suffix));
  if (path === undefined) throw new Error(`${pkg} ships no ${suffix}; reinstall it`);
  return path;
}

/** Debian keeps the server binaries out of PATH; ask dpkg where the versioned package put them. */
function postgresBinaries(): string {
  const depends = execFileSync('dpkg-query', ['-W', '-f=${Depends}', 'postgresql'], {
    encoding: 'utf8',
  });
  const server = /postgresql-\d+/.exec(depends)?.[0];
  if (server === undefined)
    throw new Error(`cannot tell the PostgreSQL server package from "${depends}"`);
  return dirname(packageFile(server, '/bin/postgres'));
}

export function installRealNova(
  cache = join(tmpdir(), 'lazarus-real-nova-cache'),
): RealNovaInstallation {
  mkdirSync(cache, { recursive: true });
  installPackages();
  return {
    novaApiPaste: unpackNovaCommon(cache),
    postgresBin: postgresBinaries(),
    python: packageFile('python3-minimal', '/bin/python3'),
    rabbitmqServer: packageFile('rabbitmq-server', '/rabbitmq/bin/rabbitmq-server'),
  };
}
