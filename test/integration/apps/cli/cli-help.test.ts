// `lazarus --help` lists every command, and each one it lists loads and explains itself: the
// commands' modules are imported only when one runs, so a name without its module would show here.
import { describe, expect, it } from 'vitest';
import { runLazarus } from '../../../support/lazarus-cli.ts';

describe('lazarus --help', () => {
  it('lists the commands, and each of them answers its own --help', async () => {
    const help = await runLazarus(['--help'], {});
    expect(help.status).toBe(0);
    const names = [
      ...(help.stdout.split(/^options:$/m)[0]?.matchAll(/^ {2}([a-z-]+) {2,}\S/gm) ?? []),
    ].map(([, name]) => name ?? '');
    expect(names).toEqual([
      'incidents',
      'show',
      'report',
      'retry',
      'confirm-fenced',
      'retry-fencing',
      'abort',
      'readmit',
      'approve',
      'reset-guard',
      'pause',
      'resume',
      'unsuppress',
      'replay',
      'preflight',
      'drill',
      'codec-server',
    ]);
    for (const name of names) {
      const own = await runLazarus([name, '--help'], {});
      expect({ name, status: own.status, usage: own.stdout.split('\n')[0] }).toEqual({
        name,
        status: 0,
        usage: expect.stringMatching(new RegExp(`^usage: lazarus ${name}\\b`)) as unknown,
      });
    }
  }, 120_000);

  it('prints the version, and refuses an unknown command with exit 2', async () => {
    expect(await runLazarus(['--version'], {})).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) as unknown,
    });
    expect(await runLazarus(['evacuate-everything'], {})).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('unknown command "evacuate-everything"') as unknown,
    });
  });
});
