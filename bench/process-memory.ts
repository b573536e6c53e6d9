// Peak resident memory (VmHWM) of a process started through spawnGuarded: the command runs as the
// guardian's only child, so it is found by its parent pid in /proc.
import { readdir, readFile } from 'node:fs/promises';
import type { GuardedProcess } from '../infra/process/guarded-process.ts';

async function childOf(parentPid: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parentPid) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return undefined;
}

/** Kibibytes, or undefined when the process is gone or /proc does not say. */
export async function peakRssKb(process: GuardedProcess): Promise<number | undefined> {
  if (process.guardianPid === undefined) return undefined;
  const pid = await childOf(process.guardianPid);
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
