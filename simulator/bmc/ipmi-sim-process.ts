// One OpenIPMI ipmi_sim process per IPMI host, started under the guardian (spawnGuarded) so that it
// never outlives the simulator, even when the simulator is SIGKILLed.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnGuarded } from '../../infra/process/guarded-process.ts';
import type { GuardedProcess } from '../../infra/process/guarded-process.ts';
import { BMC_EMU, lanConf } from './ipmi-sim-config.ts';
import type { IpmiSimConfig } from './ipmi-sim-config.ts';
import { answersPresencePing, freeUdpPort } from './rmcp-presence-ping.ts';

/**
 * ipmi_sim was ready in under 1 s (docs/nova-and-bmc-facts.md#openipmi-simulator); allow for 50 of
 * them starting on 2 cores.
 */
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 2_000;
const PORT_ATTEMPTS = 3;

export interface IpmiSim {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startIpmiSim(
  directory: string,
  config: Omit<IpmiSimConfig, 'port'>,
): Promise<IpmiSim> {
  // A fresh state directory: ipmi_sim prefers persisted users over lan.conf (ipmi_sim(1) PERSISTENCE).
  await rm(directory, { recursive: true, force: true });
  await mkdir(join(directory, 'state'), { recursive: true });
  await writeFile(join(directory, 'bmc.emu'), BMC_EMU);
  let lastFailure = '';
  // The free port can be taken between our probe and ipmi_sim's bind; then ipmi_sim exits and we retry.
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    const port = await freeUdpPort();
    await writeFile(join(directory, 'lan.conf'), lanConf({ ...config, port }), { mode: 0o600 });
    const child = spawnGuarded(
      'ipmi_sim',
      [
        '-c',
        join(directory, 'lan.conf'),
        '-f',
        join(directory, 'bmc.emu'),
        '-s',
        join(directory, 'state'),
        '-n',
      ],
      {
        logFile: join(directory, 'ipmi_sim.log'),
        graceMs: STOP_GRACE_MS,
      },
    );
    if (await isAnswering(child, port))
      return {
        port,
        stop: async () => {
          await child.stop();
        },
      };
    await child.stop();
    lastFailure = child.outputTail();
  }
  throw new Error(
    `ipmi_sim for ${config.name} did not answer on loopback UDP within ${READY_TIMEOUT_MS} ms (${PORT_ATTEMPTS} attempts; is the openipmi package installed?): ${lastFailure}`,
  );
}

async function isAnswering(child: GuardedProcess, port: number): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !child.hasExited()) {
    if (await answersPresencePing(port, 100)) return true;
    await sleep(25);
  }
  return false;
}
