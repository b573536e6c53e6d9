// The instances of a failed host, as plain facts the evacuation policy (domain/evacuation-policy.ts)
// decides on, and nothing more: the listing goes into the incident's history, so a host with
// thousands of instances must not carry their tenants' metadata along (docs/design.md#i9-liveness).
import type { Instance } from '../openstack/index.ts';
import type { InstanceFacts } from '../../domain/evacuation-policy.ts';

export type InstanceOnHost = InstanceFacts;

/**
 * Nova's server record carries the image's id, not its properties
 * (docs/nova-and-bmc-facts.md#server-fields), so imageProperties stays empty: protection by image
 * property (Pacemaker's evacuable) needs a Glance read Lazarus does not make yet. Of metadata and
 * flavor extra specs only `keys`, the policy's protection and priority keys, are kept.
 */
export function instanceOnHost(instance: Instance, keys: readonly string[]): InstanceOnHost {
  return {
    id: instance.id,
    name: instance.name,
    status: instance.status,
    isLocked: instance.isLocked,
    metadata: only(instance.metadata, keys),
    flavorExtraSpecs: only(instance.flavorExtraSpecs, keys),
    imageProperties: {},
    isBootFromVolume: instance.isBootFromVolume,
  };
}

const only = (values: Readonly<Record<string, string>>, keys: readonly string[]) =>
  Object.fromEntries(
    keys.flatMap((key) => (values[key] === undefined ? [] : [[key, values[key]]])),
  );
