// The part of nova-scheduler an evacuation needs: ComputeFilter (service enabled and up),
// resource filters (free vCPU, RAM, disk), then the RAM weigher (most free RAM wins).
import type { Capacity } from './model.ts';

export interface Candidate {
  name: string;
  isEnabled: boolean;
  isUp: boolean;
  free: Capacity;
}

export function chooseDestination(candidates: readonly Candidate[], need: Capacity): string | null {
  const fitting = candidates.filter(
    (c) =>
      c.isEnabled &&
      c.isUp &&
      c.free.vcpus >= need.vcpus &&
      c.free.ramMb >= need.ramMb &&
      c.free.diskGb >= need.diskGb,
  );
  // Ties are broken by name so a seeded run places instances the same way every time.
  fitting.sort((a, b) => b.free.ramMb - a.free.ramMb || a.name.localeCompare(b.name));
  return fitting[0]?.name ?? null;
}
