// From 2.95 Nova leaves an evacuated instance stopped on its destination
// (docs/nova-and-bmc-facts.md#power-state-after-evacuation); when the policy wants a running
// instance running again, this starts it, once.
import type { NovaClient } from '../openstack/index.ts';

export type InstanceStart =
  | { outcome: 'started'; requestId: string | null }
  /** Already ACTIVE, e.g. started by the attempt before this one, whose answer was lost. */
  | { outcome: 'alreadyActive' };

/** Nova refuses os-start while a start is in flight (409, InstanceBusy, retryable); the next attempt then finds it ACTIVE. */
export async function startUnlessActive(
  nova: NovaClient,
  instanceId: string,
): Promise<InstanceStart> {
  const instance = await nova.getInstance(instanceId);
  if (instance.status === 'ACTIVE') return { outcome: 'alreadyActive' };
  const { requestId } = await nova.startInstance(instanceId);
  return { outcome: 'started', requestId };
}
