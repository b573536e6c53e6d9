// The instances of a failed host, as plain facts the evacuation policy (domain/evacuation-policy.ts)
// decides on, plus what landing verification compares against later.
import type { Instance } from '../openstack/index.ts';
import type { InstanceFacts } from '../../domain/evacuation-policy.ts';

export interface InstanceOnHost extends InstanceFacts {
  projectId: string;
  host: string | null;
  vmState: string;
  taskState: string | null;
  volumeIds: string[];
}

/**
 * Nova's server record carries the image's id, not its properties
 * (docs/nova-and-bmc-facts.md#server-fields), so imageProperties stays empty: protection by image
 * property (Pacemaker's evacuable) needs a Glance read Lazarus does not make yet; metadata and
 * flavor extra specs are complete.
 */
export function instanceOnHost(instance: Instance): InstanceOnHost {
  return {
    id: instance.id,
    name: instance.name,
    projectId: instance.projectId,
    status: instance.status,
    vmState: instance.vmState,
    taskState: instance.taskState,
    host: instance.host,
    isLocked: instance.isLocked,
    metadata: instance.metadata,
    flavorExtraSpecs: instance.flavorExtraSpecs,
    imageProperties: {},
    isBootFromVolume: instance.isBootFromVolume,
    volumeIds: instance.volumeIds,
  };
}
