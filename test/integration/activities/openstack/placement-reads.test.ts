// Placement's reads against the simulated cloud: each compute node's inventory and what is
// allocated of it, found through the catalog with the same Keystone session as Nova.
import { describe, expect, it } from 'vitest';
import { LazarusError } from '../../../../activities/errors.ts';
import { PlacementClient } from '../../../../activities/openstack/placement-client.ts';
import { connect, quickRetries, useSimulator } from './cloud.ts';

const sim = useSimulator({ hosts: 2, instancesPerHost: 3 });

describe('placement reads', () => {
  it("reads every compute node's inventory and usage by its hypervisor id", async () => {
    const { nova, session, logs } = await connect(sim());
    const placement = await PlacementClient.connect({ session, logger: logs.logger });
    const instances = await nova.listInstances();
    expect(instances).toHaveLength(6);
    for (const hypervisor of await nova.listHypervisors()) {
      const guests = instances.filter((instance) => instance.host === hypervisor.serviceHost);
      const sum = (size: (guest: (typeof guests)[number]) => number): number =>
        guests.reduce((total, guest) => total + size(guest), 0);
      expect(await placement.providerCapacity(hypervisor.id)).toEqual({
        inventories: {
          VCPU: { total: 512, reserved: 0, allocationRatio: 1, maxUnit: 512 },
          MEMORY_MB: { total: 1_048_576, reserved: 0, allocationRatio: 1, maxUnit: 1_048_576 },
          DISK_GB: { total: 16_000, reserved: 0, allocationRatio: 1, maxUnit: 16_000 },
        },
        usages: {
          VCPU: sum((guest) => guest.flavorSize.vcpus),
          MEMORY_MB: sum((guest) => guest.flavorSize.ramMb),
          DISK_GB: sum((guest) => guest.flavorSize.rootGb),
        },
      });
    }
    await session.close();
  });

  it('throws NotFound, not a retry, for a provider Placement does not know', async () => {
    const { session, logs } = await connect(sim());
    const placement = await PlacementClient.connect({
      session,
      logger: logs.logger,
      retry: quickRetries,
    });
    const error = await placement
      .providerCapacity('0d6bd1c5-0000-4000-8000-000000000000')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LazarusError);
    expect(error).toMatchObject({ type: 'NotFound' });
    expect((error as Error).message).toContain('Placement answered 404 to the request to read the');
    expect(logs.lines).toEqual([]);
    await session.close();
  });
});
