// Lazarus finds Nova in Keystone's catalog, as every OpenStack client does. To count its requests
// without touching its code, the bench adds a catalog region whose compute endpoint is the counting
// proxy, and a clouds.yaml cloud that selects that region (`region_name`), as an operator would point
// a client at another region.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { RealNova } from '../../test/real-nova/real-nova.ts';
import { keystoneAdmin } from './keystone-admin.ts';

const COUNTED_REGION = 'BenchCounted';

export interface CountedCloud {
  cloudsYaml: string;
  cloudName: string;
}

/** Registers `proxyNovaUrl` as the compute endpoint of a region of its own; writes `<dir>/clouds.yaml`. */
export async function countedCloud(
  real: RealNova,
  proxyNovaUrl: string,
  dir: string,
): Promise<CountedCloud> {
  const { services } = (await keystoneAdmin(real, 'GET', '/services?type=compute')) as {
    services: { id: string }[];
  };
  const compute = services[0];
  if (compute === undefined) throw new Error("Keystone's catalog has no compute service");
  await keystoneAdmin(real, 'POST', '/regions', { region: { id: COUNTED_REGION } });
  await keystoneAdmin(real, 'POST', '/endpoints', {
    endpoint: {
      service_id: compute.id,
      interface: 'public',
      url: proxyNovaUrl,
      region_id: COUNTED_REGION,
    },
  });
  const { clouds } = parse(await readFile(real.cloudsYaml, 'utf8')) as {
    clouds: Record<string, Record<string, unknown>>;
  };
  const cloudName = `${real.cloudName}-counted`;
  const cloudsYaml = join(dir, 'clouds.yaml');
  await writeFile(
    cloudsYaml,
    stringify({
      clouds: { [cloudName]: { ...clouds[real.cloudName], region_name: COUNTED_REGION } },
    }),
    { mode: 0o600 },
  );
  return { cloudsYaml, cloudName };
}
