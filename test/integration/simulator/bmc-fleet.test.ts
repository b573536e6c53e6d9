import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventually, ipmitool, run, startTestFleet, workDir } from './bmc-clients.ts';

const HOLDER = fileURLToPath(new URL('./bmc-fleet-holder.ts', import.meta.url));

/** The ipmi_sim processes whose configuration lives under `directory`. */
async function ipmiSimsUnder(directory: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const [program = '', ...args] = commandLine.split('\0');
    if (program.endsWith('ipmi_sim') && args.some((arg) => arg.startsWith(directory)))
      pids.push(Number(entry));
  }
  return pids;
}

describe('a fleet of simulated BMCs', () => {
  it('starts 50 Redfish BMCs and a few ipmi_sim ones together, all answering, and stops every ipmi_sim', async () => {
    const hosts = Array.from({ length: 50 }, (_, index) => ({
      host: `cmp-${String(index + 1).padStart(2, '0')}`,
      ipmi: index < 3,
    }));
    const { fleet, directory, endpointsOf, ipmiOf } = await startTestFleet(hosts);
    const ipmiHosts = hosts.filter((spec) => spec.ipmi).map((spec) => spec.host);
    const caBundle = endpointsOf('cmp-01').redfish.caBundle ?? '';
    try {
      const urls = hosts.flatMap(({ host }) => [
        '-o',
        '/dev/null',
        `${endpointsOf(host).redfish.url}/redfish/v1/`,
      ]);
      const roots = await run('curl', [
        '--silent',
        '--cacert',
        caBundle,
        '-w',
        '%{http_code}\n',
        ...urls,
      ]);
      expect(roots.stdout.trim().split('\n')).toEqual(hosts.map(() => '200'));
      for (const host of ipmiHosts) {
        expect((await ipmitool(ipmiOf(host), ['chassis', 'power', 'status'])).stdout.trim()).toBe(
          'Chassis Power is on',
        );
      }
      expect(await ipmiSimsUnder(directory)).toHaveLength(ipmiHosts.length);
    } finally {
      await fleet.stop();
    }
    expect(await ipmiSimsUnder(directory)).toEqual([]);
  });

  it('leaves no ipmi_sim behind when the process that started the fleet is killed', async () => {
    const directory = await workDir();
    const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, directory], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [endpointsLine] = (await once(createInterface({ input: holder.stdout }), 'line')) as [
        string,
      ];
      expect(JSON.parse(endpointsLine)).toHaveProperty(['cmp-01', 'ipmi', 'port']);
      expect(await ipmiSimsUnder(directory)).toHaveLength(1);
    } finally {
      holder.kill('SIGKILL');
    }
    await eventually(
      () => ipmiSimsUnder(directory),
      (pids) => pids.length === 0,
    );
  });
});
