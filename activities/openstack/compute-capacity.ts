// What each compute node could still take, as Nova's scheduler would place against it: whether it
// is a candidate at all (nova-compute enabled and up) and what Placement would still grant of it.
// Read by `lazarus drill` and by an incident before it evacuates (docs/design.md#drill,
// docs/design.md#capacity-aware-recovery).
import { LazarusError } from '../errors.ts';
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import type { Inventory } from '../../domain/capacity.ts';
import { grantable } from '../../domain/capacity.ts';
import type { ComputeHost } from '../../domain/recovery-method.ts';
import type { Hypervisor } from './nova-types.ts';
import type { PlacementClient, ProviderCapacity, ResourceClass } from './placement-client.ts';

/** The scheduler's ComputeFilter: only a node whose nova-compute is enabled and up receives instances. */
export function isSchedulable(hypervisor: Hypervisor): boolean {
  return hypervisor.status === 'enabled' && hypervisor.state === 'up';
}

/**
 * Each compute node as the scheduler would weigh it. Its resource provider's uuid is its hypervisor
 * id (2.53+); a node without one (`capacities` has no entry) grants nothing.
 */
export function computeHostsOf(
  hypervisors: readonly Hypervisor[],
  capacities: ReadonlyMap<string, ProviderCapacity>,
): ComputeHost[] {
  return hypervisors.map((hypervisor) => {
    const capacity = capacities.get(hypervisor.id);
    const inventory = (resourceClass: ResourceClass): Inventory | undefined => {
      const record = capacity?.inventories[resourceClass];
      return record === undefined
        ? undefined
        : { ...record, used: capacity?.usages[resourceClass] ?? 0 };
    };
    const [vcpus, ramMb, diskGb] = (['VCPU', 'MEMORY_MB', 'DISK_GB'] as const).map(inventory);
    return {
      host: hypervisor.serviceHost,
      isSchedulable: isSchedulable(hypervisor),
      free: { vcpus: grantable(vcpus), ramMb: grantable(ramMb), diskGb: grantable(diskGb) },
      largest: {
        vcpus: vcpus?.maxUnit ?? 0,
        ramMb: ramMb?.maxUnit ?? 0,
        diskGb: diskGb?.maxUnit ?? 0,
      },
    };
  });
}

/** How many compute nodes' Placement figures are read at once (two GETs each). */
const PLACEMENT_READS_AT_ONCE = 8;

/** Each node's inventory and usage by hypervisor id; a node Placement has no provider for is left out. */
export async function readCapacities(
  placement: PlacementClient,
  hypervisors: readonly Hypervisor[],
): Promise<Map<string, ProviderCapacity>> {
  const capacities = new Map<string, ProviderCapacity>();
  await mapWithConcurrency(hypervisors, PLACEMENT_READS_AT_ONCE, async (hypervisor) => {
    try {
      capacities.set(hypervisor.id, await placement.providerCapacity(hypervisor.id));
    } catch (error) {
      if (!(error instanceof LazarusError) || error.type !== 'NotFound') throw error;
    }
  });
  return capacities;
}
