// Runs the `lazarus` command as an operator would, in its own process; never rejects, so tests
// assert on the exit status and both outputs.
import { execFile } from 'node:child_process';
import { LAZARUS_BIN } from './repository.ts';

const LAZARUS = LAZARUS_BIN;

export interface LazarusRun {
  status: number;
  stdout: string;
  stderr: string;
}

export function runLazarus(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<LazarusRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [LAZARUS, ...args],
      { env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        resolve({
          status: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          stdout,
          stderr,
        });
      },
    );
  });
}
