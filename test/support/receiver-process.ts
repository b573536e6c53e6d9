// `npm run receiver` in its own process, as an operator starts it, for the tests of the process.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { RECEIVER_ENTRY, REPO_ROOT } from './repository.ts';

export interface ReceiverArguments {
  config: string;
  tokenFile?: string;
  /** Default: a free port on loopback. */
  listen?: string;
}

export function spawnReceiver(
  { config, tokenFile, listen = '127.0.0.1:0' }: ReceiverArguments,
  env: NodeJS.ProcessEnv,
): ChildProcessWithoutNullStreams {
  return spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      RECEIVER_ENTRY,
      '--config',
      config,
      '--listen',
      listen,
      ...(tokenFile === undefined ? [] : ['--token-file', tokenFile]),
    ],
    { cwd: REPO_ROOT, env },
  );
}
