import { describe, expect, it } from 'vitest';
import type { Destination, InstanceDemand, Resources } from '../../../domain/capacity.ts';
import {
  checkCapacity,
  claimedFirstFit,
  demandOf,
  describeCapacity,
  describeShortage,
  grantable,
} from '../../../domain/capacity.ts';

const r = (vcpus: number, ramMb: number, diskGb: number): Resources => ({ vcpus, ramMb, diskGb });
const demand = (instanceId: string, needs: Resources): InstanceDemand => ({ instanceId, needs });
const host = (name: string, free: Resources, largest = r(1024, 1 << 30, 1 << 20)): Destination => ({
  host: name,
  free,
  largest,
});

describe('demandOf', () => {
  it("claims no local disk for a boot-from-volume instance's root, but its ephemeral disk and swap", () => {
    const flavor = { vcpus: 2, ramMb: 4096, rootGb: 40, ephemeralGb: 10, swapMb: 1536 };
    expect(demandOf(flavor, true)).toEqual(r(2, 4096, 12));
    expect(demandOf(flavor, false)).toEqual(r(2, 4096, 52));
  });
});

describe('grantable', () => {
  const inventory = { total: 64, reserved: 4, allocationRatio: 4, maxUnit: 64 };

  it('grants what Placement would: (total − reserved) × allocation_ratio − used', () => {
    expect(grantable({ ...inventory, used: 200 })).toBe(40);
  });

  it('grants nothing, not a negative amount, when more is allocated than the ratio allows', () => {
    expect(grantable({ ...inventory, allocationRatio: 1, used: 100 })).toBe(0);
  });

  it('grants nothing of a resource the node has no inventory of', () => {
    expect(grantable(undefined)).toBe(0);
  });
});

describe('checkCapacity', () => {
  it('suffices when every instance finds a host with room for all three resources', () => {
    const check = checkCapacity(
      [demand('a', r(2, 4096, 0)), demand('b', r(4, 8192, 0))],
      [host('cmp-02', r(4, 8192, 100)), host('cmp-03', r(2, 4096, 100))],
    );
    expect(check).toMatchObject({
      doesSuffice: true,
      method: 'first-fit-decreasing',
      demand: r(6, 12288, 0),
      free: r(6, 12288, 200),
      destinations: 2,
      unplaced: [],
    });
  });

  it('is short when the free resources add up but no single host has room, as a sum would miss', () => {
    const check = checkCapacity(
      [demand('big', r(4, 8192, 0))],
      [host('cmp-02', r(2, 4096, 100)), host('cmp-03', r(2, 4096, 100))],
    );
    expect(check.doesSuffice).toBe(false);
    expect(check.free).toEqual(r(4, 8192, 200));
    expect(check.unplaced.map((u) => u.instanceId)).toEqual(['big']);
  });

  it('places the largest first, so small instances do not take the room a large one needs', () => {
    // In listing order, 'small' would take cmp-02 and leave 'large' without a host.
    const check = checkCapacity(
      [demand('small', r(1, 2048, 0)), demand('large', r(2, 8192, 0))],
      [host('cmp-02', r(2, 8192, 10)), host('cmp-03', r(1, 2048, 10))],
    );
    expect(check.doesSuffice).toBe(true);
  });

  it("places no instance above a host's largest allocation, however much is free there", () => {
    const check = checkCapacity(
      [demand('wide', r(32, 4096, 0))],
      [host('cmp-02', r(64, 65536, 100), r(16, 65536, 100))],
    );
    expect(check.doesSuffice).toBe(false);
  });

  it('is short on any one resource: a host with RAM but no disk left takes nothing that needs disk', () => {
    const check = checkCapacity([demand('a', r(1, 1024, 20))], [host('cmp-02', r(64, 65536, 10))]);
    expect(check.doesSuffice).toBe(false);
  });

  it('suffices trivially with nothing to evacuate, even with no destination', () => {
    expect(checkCapacity([], []).doesSuffice).toBe(true);
  });

  it('says what is needed, what is free and what would find no host', () => {
    const short = checkCapacity(
      [demand('a', r(2, 4096, 0)), demand('b', r(2, 4096, 0))],
      [host('cmp-02', r(2, 4096, 50))],
    );
    expect(describeCapacity(short)).toBe(
      'short: needs 4 vCPU / 8192 MiB / 0 GB; 1 other enabled, up host with 2 vCPU / 4096 MiB / 50 GB free; ' +
        '1 instance (2 vCPU / 4096 MiB / 0 GB) would find no host: free or add compute capacity, or lower the protected set',
    );
    expect(
      describeCapacity(checkCapacity([demand('a', r(1, 512, 1))], [host('x', r(2, 1024, 2))])),
    ).toBe(
      'suffices: needs 1 vCPU / 512 MiB / 1 GB; 1 other enabled, up host with 2 vCPU / 1024 MiB / 2 GB free',
    );
  });
});

describe('claimedFirstFit, as an incident admits its instances', () => {
  it('claims the room on the first host where all three resources fit, in the order given', () => {
    const room = [host('a', r(1, 8192, 100)), host('b', r(8, 8192, 100))];
    expect(claimedFirstFit(r(2, 4096, 10), room)).toEqual([
      host('a', r(1, 8192, 100)),
      host('b', r(6, 4096, 90)),
    ]);
  });

  it('claims nothing where no host has room, nor above a host’s largest allocation', () => {
    expect(claimedFirstFit(r(2, 4096, 10), [host('a', r(1, 8192, 100))])).toBeUndefined();
    expect(
      claimedFirstFit(r(2, 4096, 10), [host('a', r(8, 8192, 100), r(8, 2048, 100))]),
    ).toBeUndefined();
  });

  it('says what an instance that waits needs, and what is free in all and at most on one host', () => {
    expect(
      describeShortage(r(2, 4096, 10), [host('a', r(1, 1024, 5)), host('b', r(4, 2048, 1))]),
    ).toBe(
      'no capacity: needs 2 vCPU / 4096 MiB / 10 GB; 2 other enabled, up hosts with 5 vCPU / 3072 MiB / 6 GB free, the most on one (b) 4 vCPU / 2048 MiB / 1 GB',
    );
  });
});
