// Peak resident memory (VmHWM) and CPU time of a process started through spawnGuarded: the command
// runs as the guardian's only child, so it is found by its parent pid in /proc.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import type { GuardedProcess } from '../infra/process/guarded-process.ts';

async function childOf(parentPid: number): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (fieldsAfterCommand(stat)[1] === String(parentPid)) return Number(entry);
    } catch {
      // The process ended while the list was read.
    }
  }
  return undefined;
}

/**
 * The fields of /proc/<pid>/stat after `pid (comm)`, from `state` on; comm may hold spaces and
 * parentheses, so they are read after the last ')'.
 */
function fieldsAfterCommand(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of a /proc/<pid>/stat line, in clock ticks (fields 14 and 15 of proc(5)). */
export function cpuTicksOf(stat: string): number {
  const fields = fieldsAfterCommand(stat);
  // `state` is field 3, so field n is at index n - 3.
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}

/** USER_HZ, the unit of /proc's CPU times: 100 on every common Linux, asked once. */
const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

async function commandPid(process: GuardedProcess): Promise<number | undefined> {
  return process.guardianPid === undefined ? undefined : childOf(process.guardianPid);
}

/** Kibibytes, or undefined when the process is gone or /proc does not say. */
export async function peakRssKb(process: GuardedProcess): Promise<number | undefined> {
  const pid = await commandPid(process);
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** CPU seconds the process used so far, user and system; undefined when it is gone. */
export async function cpuSeconds(process: GuardedProcess): Promise<number | undefined> {
  const pid = await commandPid(process);
  if (pid === undefined) return undefined;
  return cpuTicksOf(await readFile(`/proc/${pid}/stat`, 'utf8')) / TICKS_PER_SECOND;
}
