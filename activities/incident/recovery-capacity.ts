// What the instances of a failed host would claim, and what the hosts that could receive them have
// free, read before the incident evacuates them (docs/design.md#capacity-aware-recovery). Only reads.
// Placement refusing or missing is no reason to leave instances down: the answer is then "unknown",
// and the incident evacuates as it would without the check.
import { LazarusError } from '../errors.ts';
import type { NovaClient, PlacementClient } from '../openstack/index.ts';
import { computeHostsOf, isSchedulable, readCapacities } from '../openstack/index.ts';
import type { Destination, Resources } from '../../domain/capacity.ts';
import { demandOf } from '../../domain/capacity.ts';
import { AUTO_RECOVERY } from '../../domain/recovery-method.ts';

export interface RecoveryCapacityInput {
  sourceHost: string;
  instanceIds: string[];
}

export type RecoveryCapacity =
  /** What each instance asked about would claim (those still on the host), and every destination's free room. */
  | { kind: 'known'; needs: Record<string, Resources>; destinations: Destination[] }
  | { kind: 'unknown'; reason: string };

const unknown = (error: LazarusError): RecoveryCapacity => ({
  kind: 'unknown',
  reason: `the room on other hosts could not be read: ${error.message}`,
});

export async function readRecoveryCapacity(
  nova: NovaClient,
  placement: () => Promise<PlacementClient>,
  input: RecoveryCapacityInput,
): Promise<RecoveryCapacity> {
  let hypervisors, instances, capacities;
  try {
    [hypervisors, instances] = await Promise.all([
      nova.listHypervisors(),
      nova.listInstancesOnHost(input.sourceHost),
    ]);
  } catch (error) {
    // Nova away stops the evacuations too: that wait is the incident's (untilAnswered). Any other
    // refusal (a policy that hides the hypervisors) must not hold them.
    if (!(error instanceof LazarusError) || error.type === 'CloudUnavailable') throw error;
    return unknown(error);
  }
  try {
    capacities = await readCapacities(await placement(), hypervisors.filter(isSchedulable));
  } catch (error) {
    if (!(error instanceof LazarusError)) throw error;
    return unknown(error);
  }
  const wanted = new Set(input.instanceIds);
  const needs: Record<string, Resources> = {};
  for (const instance of instances)
    if (wanted.has(instance.id))
      needs[instance.id] = demandOf(instance.flavorSize, instance.isBootFromVolume);
  return {
    kind: 'known',
    needs,
    destinations: AUTO_RECOVERY.destinations(
      input.sourceHost,
      computeHostsOf(hypervisors, capacities),
    ),
  };
}
