// Finds live processes by their command line, to prove that nothing was left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { pollUntil } from '../../lib/poll-until.ts';

/** PIDs of live processes whose argv contains every one of `fragments` as whole arguments. */
export function processesWithArguments(...fragments: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // it ended while we looked
    }
    if (fragments.every((fragment) => argv.includes(fragment))) pids.push(Number(entry));
  }
  return pids;
}

/** Polls until no process matches, or throws naming the survivors. */
export async function expectNoProcessLeft(fragments: string[], timeoutMs = 20_000): Promise<void> {
  const what = `processes with ${fragments.join(' ')} to end`;
  await pollUntil(
    what,
    () => (processesWithArguments(...fragments).length === 0 ? true : undefined),
    {
      timeoutMs,
      intervalMs: 100,
      onTimeout: () =>
        `processes with ${fragments.join(' ')} still alive: ${processesWithArguments(...fragments).join(', ')}`,
    },
  );
}
