// What each ComputerSystem.Reset type does to a host's power (DMTF ResetType enum,
// docs/nova-and-bmc-facts.md#reset-and-allowed-values).
import type { PowerState } from './bmc-contract.ts';

/** The ResetTypes this BMC advertises in `ResetType@Redfish.AllowableValues` and its ActionInfo. */
export const RESET_TYPES = [
  'On',
  'ForceOn',
  'ForceOff',
  'GracefulShutdown',
  'GracefulRestart',
  'ForceRestart',
  'PowerCycle',
  'PushPowerButton',
  'Nmi',
] as const;

export type ResetType = (typeof RESET_TYPES)[number];

export function isResetType(value: unknown): value is ResetType {
  return (RESET_TYPES as readonly unknown[]).includes(value);
}

/** The power states the host goes through, in order; empty when the reset changes nothing. */
export function powerStepsOf(resetType: ResetType, current: PowerState): PowerState[] {
  switch (resetType) {
    case 'On':
    case 'ForceOn':
      return current === 'Off' ? ['On'] : [];
    case 'ForceOff':
    case 'GracefulShutdown':
      return current === 'On' ? ['Off'] : [];
    case 'PushPowerButton':
      return [current === 'On' ? 'Off' : 'On'];
    // A restart of a powered-off system powers it on, as most BMCs do.
    case 'GracefulRestart':
    case 'ForceRestart':
    case 'PowerCycle':
      return current === 'On' ? ['Off', 'On'] : ['On'];
    // A diagnostic interrupt reaches the OS, not the power rail.
    case 'Nmi':
      return [];
  }
}
