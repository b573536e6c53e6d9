// Picking a service's endpoint from the Keystone token's catalog by type, interface and region
// (docs/nova-and-bmc-facts.md#catalog), the way keystoneauth does.
import { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { EndpointInterface } from './cloud-credentials.ts';

export const catalogSchema = z.array(
  z.object({
    type: z.string(),
    name: z.string().optional(),
    endpoints: z.array(
      z.object({
        interface: z.string(),
        region: z.string().nullable().optional(),
        region_id: z.string().nullable().optional(),
        url: z.string(),
      }),
    ),
  }),
);
export type ServiceCatalog = z.output<typeof catalogSchema>;

export interface EndpointWanted {
  type: string;
  interface: EndpointInterface;
  /** Any region when absent; then the catalog must offer exactly one. */
  region?: string;
}

export function selectEndpoint(catalog: ServiceCatalog, wanted: EndpointWanted): string {
  const matches = catalog
    .filter((service) => service.type === wanted.type)
    .flatMap((service) => service.endpoints)
    .filter(
      (e) =>
        e.interface === wanted.interface &&
        (wanted.region === undefined || (e.region ?? e.region_id) === wanted.region),
    );
  const urls = [...new Set(matches.map((e) => e.url))];
  const [only] = urls;
  if (only !== undefined && urls.length === 1) return only;
  const offered = catalog.flatMap((s) =>
    s.endpoints.map(
      (e) => `${s.type} ${e.interface} ${e.region ?? e.region_id ?? '(no region)'} ${e.url}`,
    ),
  );
  const asked = `${wanted.type} endpoint with interface ${wanted.interface}${wanted.region === undefined ? '' : ` in region ${wanted.region}`}`;
  const problem =
    urls.length === 0
      ? `the Keystone catalog has no ${asked}`
      : `the Keystone catalog has ${urls.length} different ${asked}s and no region was configured`;
  throw new LazarusError(
    'ConfigurationInvalid',
    `${problem}; set region_name / interface (OS_REGION_NAME / OS_INTERFACE) to match one of: ${offered.join('; ') || 'nothing (the token has an empty catalog)'}`,
    {
      wanted,
      offered,
    },
  );
}
