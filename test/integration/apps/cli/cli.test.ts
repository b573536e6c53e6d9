import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LAZARUS_BIN } from '../../../support/repository.ts';

const run = promisify(execFile);
const lazarus = LAZARUS_BIN;

describe('the lazarus command', () => {
  it('prints the package version', async () => {
    const { stdout } = await run(process.execPath, [lazarus, '--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses an unknown command with exit status 2 and says where to look', async () => {
    await expect(run(process.execPath, [lazarus, 'evacuate-everything'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'unknown command "evacuate-everything"; run lazarus --help',
      ) as unknown,
    });
  });
});
