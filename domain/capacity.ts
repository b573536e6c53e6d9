// Would the instances of a failed host fit on the hosts left? Pure arithmetic on vCPUs, RAM and
// disk, for `lazarus drill` today and for a capacity-aware recovery later (docs/design.md#drill).

/** What an instance claims of a host, or what a host has free. */
export interface Resources {
  vcpus: number;
  ramMb: number;
  diskGb: number;
}

/** A flavor's size as Nova embeds it in the server (2.47+). */
export interface FlavorSize {
  vcpus: number;
  ramMb: number;
  rootGb: number;
  ephemeralGb: number;
  swapMb: number;
}

export interface InstanceDemand {
  instanceId: string;
  needs: Resources;
}

/** A host the scheduler may place evacuated instances on, with what it has free. */
export interface Destination {
  host: string;
  free: Resources;
  /** The most one instance may claim of each resource there (Placement's max_unit). */
  largest: Resources;
}

/** One resource of a compute node as Placement keeps it, and how much of it is allocated. */
export interface Inventory {
  total: number;
  reserved: number;
  allocationRatio: number;
  maxUnit: number;
  used: number;
}

export interface CapacityCheck {
  doesSuffice: boolean;
  /** How the instances were placed on paper: each on the first host where all three fit, largest first. */
  method: 'first-fit-decreasing';
  /** What every instance to evacuate needs, summed. */
  demand: Resources;
  /** What the destinations have free, summed. */
  free: Resources;
  destinations: number;
  /** The instances no destination had room for, largest first. */
  unplaced: InstanceDemand[];
}

/** How often an incident reads the room again while an instance waits for it. */
export const DEFAULT_CAPACITY_RECHECK_MS = 60_000;

export const NO_RESOURCES: Resources = { vcpus: 0, ramMb: 0, diskGb: 0 };

/**
 * What Nova's scheduler asks Placement for when it places the instance: a boot-from-volume
 * instance's root disk is a Cinder volume and claims no local disk, swap counts in whole GB
 * (nova/scheduler/utils.py, resources_from_flavor).
 */
export function demandOf(flavor: FlavorSize, isBootFromVolume: boolean): Resources {
  return {
    vcpus: flavor.vcpus,
    ramMb: flavor.ramMb,
    diskGb:
      (isBootFromVolume ? 0 : flavor.rootGb) + flavor.ephemeralGb + Math.ceil(flavor.swapMb / 1024),
  };
}

/**
 * What Placement would still grant of one resource: (total − reserved) × allocation_ratio − used,
 * the rule it applies to every allocation (docs/design.md#drill), and never below zero. A resource
 * the node has no inventory of grants nothing.
 */
export function grantable(inventory: Inventory | undefined): number {
  if (inventory === undefined) return 0;
  const capacity = Math.floor((inventory.total - inventory.reserved) * inventory.allocationRatio);
  return Math.max(0, capacity - inventory.used);
}

export function sumOf(all: readonly Resources[]): Resources {
  return all.reduce(
    (sum, r) => ({
      vcpus: sum.vcpus + r.vcpus,
      ramMb: sum.ramMb + r.ramMb,
      diskGb: sum.diskGb + r.diskGb,
    }),
    NO_RESOURCES,
  );
}

const isWithin = (needs: Resources, limit: Resources): boolean =>
  needs.vcpus <= limit.vcpus && needs.ramMb <= limit.ramMb && needs.diskGb <= limit.diskGb;

/**
 * Places every instance, largest RAM first (then vCPUs, then disk), on the first destination where
 * all three fit, none above that destination's largest allocation. A sum would call a cloud of many half-full hosts able to take an instance none of
 * them has room for; first-fit decreasing does not, and stays close to the best packing without
 * being one, so a "short" verdict near the limit may be pessimistic by an instance or two.
 */
export function checkCapacity(
  demands: readonly InstanceDemand[],
  destinations: readonly Destination[],
): CapacityCheck {
  const left = destinations.map((destination) => ({
    free: { ...destination.free },
    largest: destination.largest,
  }));
  const largestFirst = [...demands].sort(
    (a, b) =>
      b.needs.ramMb - a.needs.ramMb ||
      b.needs.vcpus - a.needs.vcpus ||
      b.needs.diskGb - a.needs.diskGb ||
      (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0),
  );
  const unplaced: InstanceDemand[] = [];
  for (const demand of largestFirst) {
    const room = left.find(
      (host) => isWithin(demand.needs, host.free) && isWithin(demand.needs, host.largest),
    );
    if (room === undefined) {
      unplaced.push(demand);
      continue;
    }
    room.free.vcpus -= demand.needs.vcpus;
    room.free.ramMb -= demand.needs.ramMb;
    room.free.diskGb -= demand.needs.diskGb;
  }
  return {
    doesSuffice: unplaced.length === 0,
    method: 'first-fit-decreasing',
    demand: sumOf(demands.map((demand) => demand.needs)),
    free: sumOf(destinations.map((destination) => destination.free)),
    destinations: destinations.length,
    unplaced,
  };
}

export function describeResources(r: Resources): string {
  return `${r.vcpus} vCPU / ${r.ramMb} MiB / ${r.diskGb} GB`;
}

/** One line: "suffices: …" or "short: …", with the figures an operator needs to act. */
export function describeCapacity(check: CapacityCheck): string {
  const free = `${check.destinations} other enabled, up host${check.destinations === 1 ? '' : 's'} with ${describeResources(check.free)} free`;
  if (check.doesSuffice) return `suffices: needs ${describeResources(check.demand)}; ${free}`;
  const count = check.unplaced.length;
  return (
    `short: needs ${describeResources(check.demand)}; ${free}; ` +
    `${count} instance${count === 1 ? '' : 's'} (${describeResources(sumOf(check.unplaced.map((u) => u.needs)))}) would find no host: ` +
    'free or add compute capacity, or lower the protected set'
  );
}

/**
 * The destinations with `needs` claimed on the first that has room for all three resources (and
 * no more than its largest allocation), or undefined when none has. In the order given: an
 * incident admits its instances in priority order, not largest first.
 */
export function claimedFirstFit(
  needs: Resources,
  destinations: readonly Destination[],
): Destination[] | undefined {
  const index = destinations.findIndex(
    (destination) => isWithin(needs, destination.free) && isWithin(needs, destination.largest),
  );
  if (index === -1) return undefined;
  return destinations.map((destination, at) =>
    at !== index
      ? destination
      : {
          ...destination,
          free: {
            vcpus: destination.free.vcpus - needs.vcpus,
            ramMb: destination.free.ramMb - needs.ramMb,
            diskGb: destination.free.diskGb - needs.diskGb,
          },
        },
  );
}

/** Why an instance waits: what it needs, and what the destinations have free, in all and at most on one. */
export function describeShortage(needs: Resources, destinations: readonly Destination[]): string {
  const roomiest = [...destinations].sort((a, b) => b.free.ramMb - a.free.ramMb)[0];
  return (
    `no capacity: needs ${describeResources(needs)}; ${destinations.length} other enabled, up host${destinations.length === 1 ? '' : 's'} ` +
    `with ${describeResources(sumOf(destinations.map((destination) => destination.free)))} free` +
    (roomiest === undefined
      ? ''
      : `, the most on one (${roomiest.host}) ${describeResources(roomiest.free)}`)
  );
}
