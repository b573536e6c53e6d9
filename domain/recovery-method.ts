// How the instances of a failed host find their new hosts. Lazarus has one method today, Masakari's
// `auto`: Nova's scheduler places each instance on any enabled, up compute. Masakari's other methods
// (reserved_host, auto_priority, rh_priority) would be further entries here, chosen per host group,
// each saying where its instances may go (docs/design.md#drill).
import type { Destination } from './capacity.ts';

/** A compute host as the scheduler sees it when it places an evacuated instance. */
export interface ComputeHost extends Destination {
  /** nova-compute enabled and up: the scheduler's ComputeFilter passes no other host. */
  isSchedulable: boolean;
}

export interface RecoveryMethod {
  name: 'auto';
  /** For people: the method and who chooses each destination. */
  description: string;
  /** The hosts that may receive the instances of `failedHost`. */
  destinations(failedHost: string, hosts: readonly ComputeHost[]): Destination[];
}

export const AUTO_RECOVERY: RecoveryMethod = {
  name: 'auto',
  description: 'auto (the scheduler places each instance)',
  destinations: (failedHost, hosts) =>
    hosts
      .filter((candidate) => candidate.host !== failedHost && candidate.isSchedulable)
      .map(({ host, free, largest }) => ({ host, free, largest })),
};
