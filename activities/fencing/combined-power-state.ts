// The power state of a host fed by several outlets (a dual-PSU server, A and B feeds): it is
// unpowered only when every outlet reads Off, so one outlet still On makes the whole read On.
import type { PowerState } from './fence-driver.ts';

/**
 * Off only when every part reads Off; PoweringOff when every part not yet Off is on its way there
 * (so fenceHost sends no second command); otherwise the first part that is neither, so a power-off
 * is sent and the read-back goes on.
 */
export function combinedPowerState(parts: readonly PowerState[]): PowerState {
  const notOff = parts.filter((state) => state !== 'Off');
  if (parts.length === 0) return 'Unknown';
  if (notOff.length === 0) return 'Off';
  return notOff.find((state) => state !== 'PoweringOff') ?? 'PoweringOff';
}
