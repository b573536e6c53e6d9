// A real compute host seen from outside Nova: its nova-compute process and its BMC through ipmitool.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { processesWithArguments } from '../support/processes.ts';
import type { RealNova } from './real-nova.ts';

const run = promisify(execFile);

/** lanplus with cipher 3, password from the environment (docs/nova-and-bmc-facts.md#cipher-suite-and-timing). */
export async function ipmitool(nova: RealNova, host: string, ...args: string[]): Promise<string> {
  const bmc = nova.bmcs[host];
  if (bmc === undefined) throw new Error(`no BMC for ${host}`);
  const { stdout } = await run(
    'ipmitool',
    [
      '-I',
      'lanplus',
      '-C',
      '3',
      '-N',
      '1',
      '-R',
      '1',
      '-H',
      '127.0.0.1',
      '-p',
      String(bmc.ipmiPort),
      '-U',
      bmc.username,
      '-E',
      ...args,
    ],
    { env: { ...process.env, IPMI_PASSWORD: bmc.password } },
  );
  return stdout.trim();
}

/** The Python process itself, not the guardian that started it with the same arguments. */
export function computeProcesses(nova: RealNova, host: string): number[] {
  return processesWithArguments('--config-file', join(nova.dir, 'etc', `${host}.conf`)).filter(
    (pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('python');
      } catch {
        return false;
      }
    },
  );
}
