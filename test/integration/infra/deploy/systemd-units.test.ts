// The systemd units of infra/deploy/systemd/: systemd's own verdict (systemd-analyze verify and
// security, offline), and the units held to Lazarus's code: the worker's shutdown grace, and every
// secret passed as a credential that Lazarus then reads from the credentials directory.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shutdownGraceMsOf } from '../../../../apps/worker/create-worker.ts';
import {
  DEPLOY_DIR,
  loadConfigText,
  stringsStartingWith,
} from '../../../support/deployment-files.ts';

const run = promisify(execFile);
const SYSTEMD_DIR = join(DEPLOY_DIR, 'systemd');
const UNITS = [
  { unit: 'lazarus-worker.service', config: 'worker.yaml' },
  { unit: 'lazarus-receiver.service', config: 'receiver.yaml' },
] as const;
/** Where systemd puts a system service's credentials, the directory %d stands for. */
const credentialsDirectoryOf = (unit: string): string => `/run/credentials/${unit}`;

/** The unit's [Service] settings, in order, each as [key, value]. */
function serviceSettingsOf(text: string): [string, string][] {
  let section = '';
  const settings: [string, string][] = [];
  for (const line of text.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line.trim());
    if (header !== null) section = header[1] ?? '';
    const setting = /^(\w+)=(.*)$/.exec(line);
    if (section === 'Service' && setting !== null)
      settings.push([setting[1] ?? '', setting[2] ?? '']);
  }
  return settings;
}

const valuesOf = (settings: [string, string][], key: string): string[] =>
  settings.filter(([name]) => name === key).map(([, value]) => value);

/**
 * What is wrong with how a unit hands its secrets to Lazarus: a file Lazarus would read from the
 * credentials directory that the unit does not load, a credential nothing reads, or a credential
 * whose source is not the file of the same name in /etc/lazarus/credentials/.
 */
function credentialProblems(unit: string, unitText: string, configText: string): string[] {
  const settings = serviceSettingsOf(unitText);
  const loaded = valuesOf(settings, 'LoadCredential').map((value) => value.split(':'));
  const names = loaded.map(([name = '']) => name);
  const directory = credentialsDirectoryOf(unit);
  const read = [
    // %d in the unit (Environment=, ExecStart=), the directory spelled out in lazarus.yaml.
    ...[...unitText.matchAll(/%d\/([\w.-]+)/g)].map((match) => match[1] ?? ''),
    ...stringsStartingWith(parse(configText), '/run/credentials/').map((path) =>
      path.startsWith(`${directory}/`)
        ? path.slice(directory.length + 1)
        : `${path} (not ${directory})`,
    ),
  ];
  return [
    ...read.filter((name) => !names.includes(name)).map((name) => `${name} is read but not loaded`),
    ...names.filter((name) => !read.includes(name)).map((name) => `${name} is loaded but not read`),
    ...loaded
      .filter(([name, source]) => source !== `/etc/lazarus/credentials/${name ?? ''}`)
      .map(([name, source]) => `${name ?? ''} comes from ${source ?? 'nowhere'}`),
  ];
}

describe('the systemd units', () => {
  let directory: string;
  const texts = new Map<string, string>();
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-units-'));
    for (const entry of await readdir(SYSTEMD_DIR, { withFileTypes: true }))
      if (entry.isFile())
        texts.set(entry.name, await readFile(join(SYSTEMD_DIR, entry.name), 'utf8'));
    // systemd-analyze verify refuses a unit whose ExecStart program does not exist, and no option
    // of systemd 252's turns that check off: the copies it reads run this test's own node, which
    // exists wherever the test runs, instead of /usr/bin/node.
    for (const { unit } of UNITS)
      await writeFile(
        join(directory, unit),
        (texts.get(unit) ?? '').replace(
          /^ExecStart=\/usr\/bin\/node /m,
          `ExecStart=${process.execPath} `,
        ),
      );
    await cp(join(SYSTEMD_DIR, 'lazarus-.service.d'), join(directory, 'lazarus-.service.d'), {
      recursive: true,
    });
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  const analyze = async (args: string[]): Promise<{ output: string; exitCode: number }> => {
    try {
      const { stdout, stderr } = await run('systemd-analyze', args, { cwd: directory });
      return { output: `${stdout}${stderr}`, exitCode: 0 };
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; code?: number | string };
      if (failed.code === 'ENOENT')
        throw new Error(
          "systemd-analyze is missing: install Debian's systemd package (npm test does)",
        );
      return {
        output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`,
        exitCode: Number(failed.code),
      };
    }
  };

  it('pass systemd-analyze verify without a word of complaint', async () => {
    // An unknown or misspelled setting is only a warning to systemd ("Unknown key …, ignoring"), so
    // any output at all fails the test, not just the exit status.
    expect(await analyze(['verify', '--man=no', ...UNITS.map(({ unit }) => `./${unit}`)])).toEqual({
      output: '',
      exitCode: 0,
    });
  });

  it('sees a misspelled setting (the verification above can fail)', async () => {
    const broken = join(directory, 'lazarus-broken.service');
    await writeFile(
      broken,
      (texts.get('lazarus-worker.service') ?? '').replace(
        '\nRestart=on-failure',
        '\nRestrat=on-failure',
      ),
    );
    const { output } = await analyze(['verify', '--man=no', './lazarus-broken.service']);
    expect(output).toMatch(/Unknown key '?Restrat'? in section '?\[?Service\]?'?/);
    await rm(broken);
  });

  it.each(UNITS)(
    '$unit runs as its own user with the shared hardening, and systemd rates its exposure OK',
    async ({ unit }) => {
      const { output } = await analyze(['security', '--offline=yes', '--no-pager', `./${unit}`]);
      for (const setting of [
        'User=/DynamicUser=',
        'NoNewPrivileges=',
        'ProtectSystem=',
        'ProtectHome=',
        'PrivateTmp=',
        'PrivateDevices=',
        'RestrictSUIDSGID=',
        'CapabilityBoundingSet=~CAP_SYS_ADMIN',
        'SystemCallFilter=~@privileged',
      ])
        expect(output).toMatch(new RegExp(`^✓ ${setting.replace(/[~@*()|/]/g, '\\$&')}`, 'm'));
      // Off on purpose: V8 writes the machine code it compiles, then runs it.
      expect(output).toMatch(/^✗ MemoryDenyWriteExecute=/m);
      const exposure = /Overall exposure level for \S+: ([\d.]+) /.exec(output)?.[1];
      expect(Number(exposure)).toBeLessThanOrEqual(2);
    },
  );

  it("restarts the worker on failure and waits longer than the worker's shutdown grace to stop it", async () => {
    const settings = serviceSettingsOf(texts.get('lazarus-worker.service') ?? '');
    const config = await loadConfigText(texts.get('worker.yaml') ?? '');
    expect(valuesOf(settings, 'Restart')).toEqual(['on-failure']);
    expect(valuesOf(settings, 'KillMode')).toEqual(['mixed']);
    const [timeoutStopSec = '0'] = valuesOf(settings, 'TimeoutStopSec');
    // Past the grace the worker still closes its connections; 10 s covers that.
    expect(Number(timeoutStopSec) * 1000).toBeGreaterThanOrEqual(
      shutdownGraceMsOf(config.fencing) + 10_000,
    );
    expect(
      valuesOf(serviceSettingsOf(texts.get('lazarus-receiver.service') ?? ''), 'Restart'),
    ).toEqual(['on-failure']);
  });

  it.each(UNITS)(
    '$unit loads each secret as a credential that Lazarus reads from the credentials directory, and its $config loads',
    async ({ unit, config }) => {
      const configText = texts.get(config) ?? '';
      expect(credentialProblems(unit, texts.get(unit) ?? '', configText)).toEqual([]);
      await loadConfigText(configText);
    },
  );

  it('finds a credential read but not loaded, and one loaded but not read (the check above can fail)', () => {
    const unitText = texts.get('lazarus-worker.service') ?? '';
    expect(
      credentialProblems(
        'lazarus-worker.service',
        unitText.replace('LoadCredential=bmc-ipmi-password:', 'LoadCredential=bmc-ipmi-pasword:'),
        (texts.get('worker.yaml') ?? '').replace(
          'lazarus-worker.service/payload',
          'lazarus-receiver.service/payload',
        ),
      ),
    ).toEqual([
      '/run/credentials/lazarus-receiver.service/payload-2026-10.key (not /run/credentials/lazarus-worker.service) is read but not loaded',
      'bmc-ipmi-password is read but not loaded',
      'payload-2026-10.key is loaded but not read',
      'bmc-ipmi-pasword is loaded but not read',
      'bmc-ipmi-pasword comes from /etc/lazarus/credentials/bmc-ipmi-password',
    ]);
  });
});
