// `npm run sim`: argument checks, the one JSON line, clouds.yaml, the BMCs, and a clean stop.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, waitForOutput } from '../../support/child-output.ts';
import { request } from './cloud.ts';
import { REPO_ROOT } from '../../support/repository.ts';

function startSim(...args: string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import', 'tsx', 'simulator/main.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function stderrOf(child: ReturnType<typeof spawn>): Promise<string> {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  await exitOf(child);
  return text;
}

describe('npm run sim', () => {
  it.each([
    [['--instances-per-host', '2'], '--hosts must be a whole number'],
    [
      ['--hosts', '2', '--instances-per-host', '2', '--nova-max-microversion', '3.0'],
      '--nova-max-microversion must look like 2.93',
    ],
    [['--hosts', '2', '--instances-per-host', '2', '--colour'], "Unknown option '--colour'"],
  ])('exits 2 with a clear message and no stack trace for %j', async (args, message) => {
    const child = startSim(...args);
    const [stderr, code] = await Promise.all([stderrOf(child), exitOf(child)]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: npm run sim');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('prints one JSON line with the URLs, credentials, clouds.yaml and BMC endpoints, serves them, and stops on SIGTERM', async () => {
    const child = startSim(
      '--hosts',
      '2',
      '--instances-per-host',
      '3',
      '--seed',
      '5',
      '--nova-max-microversion',
      '2.93',
      '--ipmi-hosts',
      '1',
    );
    let workDir = '';
    try {
      const [line] = await waitForOutput(child, /^\{.*\}\n/m, 30_000);
      const printed = JSON.parse(line) as {
        keystoneUrl: string;
        novaUrl: string;
        adminUrl: string;
        cloudsYaml: string;
        cloud: string;
        credentials: { username: string; password: string };
        bmcs: Record<string, { redfish: { url: string }; ipmi?: { port: number } }>;
      };
      expect(Object.keys(printed.bmcs)).toEqual(['cmp-01', 'cmp-02']);
      expect(printed.bmcs['cmp-01']?.ipmi?.port).toBeGreaterThan(0);
      expect(printed.bmcs['cmp-02']?.ipmi).toBeUndefined();
      workDir = dirname(printed.cloudsYaml);
      expect(await readFile(printed.cloudsYaml, 'utf8')).toContain(
        `auth_url: ${printed.keystoneUrl}/v3`,
      );
      const version = await request('GET', `${printed.novaUrl}/`);
      expect(version.body).toMatchObject({ version: { version: '2.93' } });
      expect((await request('GET', `${printed.adminUrl}/_sim/state`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    // stop() removes the work directory last, after the BMCs (and their ipmi_sim) are down.
    expect(existsSync(workDir)).toBe(false);
  });
});
