// Reading Redfish resources the same way for every Redfish device (a BMC's ComputerSystem, a PDU's
// outlets): a non-200 answer is the device's trouble, a body that does not fit is BmcUnsupported,
// and "the only member of a collection" refuses to guess when there are several.
import type { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { RedfishClient, RedfishResponse } from './redfish-client.ts';
import { collectionSchema } from './redfish-resources.ts';

export interface RedfishDevice {
  client: RedfishClient;
  /** "Redfish BMC at https://…" or "Redfish PDU pdu-r12-a at https://…", to start messages. */
  describedAs: string;
  /** What the device must support, for the advice when a body does not fit ("Redfish ComputerSystem.Reset"). */
  feature: string;
}

export function parseResource<T>(
  device: RedfishDevice,
  schema: z.ZodType<T>,
  response: RedfishResponse,
  path: string,
): T {
  if (response.status !== 200) throw device.client.unexpected(response, 'GET', path);
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return parsed.data;
  throw new LazarusError(
    'BmcUnsupported',
    `${device.describedAs} answered GET ${path} with a body Lazarus cannot use (${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}); check the device's firmware supports ${device.feature}`,
    { bmc: device.client.baseUrl, path },
  );
}

/** The collection's only member, or ConfigurationInvalid saying which field picks one (`fix`). */
export async function onlyMemberOf(
  device: RedfishDevice,
  collectionPath: string,
  what: string,
  fix: string,
): Promise<string> {
  const members = parseResource(
    device,
    collectionSchema,
    await device.client.get(collectionPath),
    collectionPath,
  ).Members.map((member) => member['@odata.id']);
  const [only] = members;
  if (members.length !== 1 || only === undefined) {
    throw new LazarusError(
      'ConfigurationInvalid',
      `${device.describedAs} lists ${members.length} ${what} (${members.join(', ') || 'none'}); ${fix}`,
      { bmc: device.client.baseUrl, [what]: members },
    );
  }
  return only;
}
