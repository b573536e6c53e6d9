// The operator's path end to end: `npm run sim`, `npm run sim:config`, `lazarus preflight`.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, waitForOutput } from '../../../support/child-output.ts';
import { REPO_ROOT } from '../../../support/repository.ts';

const run = promisify(execFile);

describe('lazarus preflight against `npm run sim`', () => {
  let sim: ChildProcessWithoutNullStreams;
  let announcement: string;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-preflight-sim-'));
    sim = spawn(
      'npm',
      [
        'run',
        '--silent',
        'sim',
        '--',
        '--hosts',
        '3',
        '--instances-per-host',
        '2',
        '--ipmi-hosts',
        '1',
        '--time-scale',
        '100',
      ],
      { cwd: REPO_ROOT },
    );
    [announcement] = await waitForOutput(sim, /^\{.*\}$/m);
  });
  afterAll(async () => {
    sim.kill('SIGTERM');
    await exitOf(sim);
    await rm(directory, { recursive: true, force: true });
  });

  it('gets a config from sim:config that keeps passwords in owner-only files, and a clean preflight table', async () => {
    const configure = spawn('npm', ['run', '--silent', 'sim:config', '--', '--out', directory], {
      cwd: REPO_ROOT,
    });
    configure.stdin.end(announcement);
    const [, cloudsYaml] = await waitForOutput(configure, /^export OS_CLIENT_CONFIG_FILE=(\S+)$/m);
    expect(await exitOf(configure)).toBe(0);

    const configPath = join(directory, 'lazarus.yaml');
    const config = await readFile(configPath, 'utf8');
    const { bmcs } = JSON.parse(announcement) as {
      bmcs: Record<string, { redfish: { password: string } }>;
    };
    for (const [host, bmc] of Object.entries(bmcs)) {
      expect(config).not.toContain(bmc.redfish.password);
      expect((await stat(join(directory, 'bmc-passwords', host))).mode & 0o077).toBe(0);
    }

    const { stdout } = await run(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'lazarus.js'), 'preflight', '--config', configPath],
      {
        env: { ...process.env, OS_CLIENT_CONFIG_FILE: cloudsYaml },
      },
    );
    expect(stdout).toMatch(/^cmp-01 +enabled, up +ipmi 127\.0\.0\.1:\d+ +On +-$/m);
    expect(stdout).toMatch(/^cmp-02 +enabled, up +redfish https:\/\/127\.0\.0\.1:\d+ +On +-$/m);
    expect(stdout).toContain('ready: 3 hosts, every one with a BMC that answered');
  });
});
