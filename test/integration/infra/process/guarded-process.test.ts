// The guardian asks its command to stop with the signal the command understands (PostgreSQL's fast
// shutdown is SIGINT), and kill() ends it at once, as a machine's death would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGuarded } from '../../../../infra/process/guarded-process.ts';
import { pollUntil } from '../../../../lib/poll-until.ts';

/** Exits 2 on SIGINT and 15 on SIGTERM, so the status says which signal came. */
const SAYS_WHICH_SIGNAL = `
process.on('SIGINT', () => process.exit(2));
process.on('SIGTERM', () => process.exit(15));
console.log('ready');
setInterval(() => undefined, 1000);
`;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-guarded-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function start(name: string, stopSignal?: 'SIGINT' | 'SIGTERM') {
  const command = spawnGuarded(process.execPath, ['-e', SAYS_WHICH_SIGNAL], {
    logFile: join(directory, `${name}.log`),
    graceMs: 5_000,
    ...(stopSignal === undefined ? {} : { stopSignal }),
  });
  return pollUntil(
    `${name} to start`,
    () => (command.outputTail().includes('ready') ? command : undefined),
    { timeoutMs: 10_000, intervalMs: 20 },
  );
}

describe('a guarded process', () => {
  it('is stopped with SIGTERM unless told otherwise', async () => {
    expect(await (await start('default')).stop()).toBe(15);
  });

  it('is stopped with the signal it was given', async () => {
    expect(await (await start('sigint', 'SIGINT')).stop()).toBe(2);
  });

  it('is SIGKILLed by kill(), with no chance to shut down', async () => {
    expect(await (await start('killed')).kill()).toBe(128 + 9);
  });
});
