// lazarus.yaml for the real-Nova tier as an operator would write it: every BMC over IPMI, passwords
// in owner-only files. Shared by the end-to-end suite and `npm run bench:real-nova`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { RealNova } from './real-nova.ts';

/** Writes `<dir>/<taskQueue>/lazarus.yaml` for the cloud `cloudName` of the workers' clouds.yaml; returns its path. */
export async function writeLazarusConfig(
  real: RealNova,
  options: { dir: string; taskQueue: string; cloudName?: string },
): Promise<string> {
  const secrets = join(options.dir, options.taskQueue);
  await mkdir(secrets, { recursive: true, mode: 0o700 });
  const bmcs = await Promise.all(
    Object.values(real.bmcs).map(async ({ host, ipmiPort, username, password }) => {
      const passwordFile = join(secrets, `${host}.password`);
      await writeFile(passwordFile, password, { mode: 0o600 });
      return {
        host,
        protocol: 'ipmi',
        address: '127.0.0.1',
        port: ipmiPort,
        cipherSuite: 3,
        username,
        passwordFile,
      };
    }),
  );
  const configPath = join(secrets, 'lazarus.yaml');
  await writeFile(
    configPath,
    stringify({
      openstack: { cloud: options.cloudName ?? real.cloudName },
      temporal: { taskQueue: options.taskQueue },
      // Every server here boots from an image onto local disk, which the fake driver rebuilds anywhere.
      incident: { protect: 'all', imageBackedOnLocalDisk: 'evacuate' },
      // One of four computes down is 25 %; the suite's crash case leaves no room for a second one on the edge.
      stormGuard: { maxFractionDown: 0.5 },
      bmcs,
    }),
  );
  return configPath;
}
