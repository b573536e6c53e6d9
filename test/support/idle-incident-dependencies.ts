// Incident dependencies that reach nothing until an activity uses them: for tests of a worker that
// runs no incident. Nova connects on first use, and no host has a BMC entry.
import type { IncidentDependencies } from '../../activities/incident/index.ts';
import {
  connectNovaOnFirstUse,
  fenceDriversFromInventory,
  NOVA_REPORT_INTERVAL_MS,
  systemClock,
} from '../../activities/incident/index.ts';
import { settings } from '../integration/activities/fencing/fencing-fixtures.ts';

export function idleIncidentDependencies(): IncidentDependencies {
  const ignore = (): void => undefined;
  return {
    nova: connectNovaOnFirstUse({ env: {}, logger: { warn: ignore } }),
    fencing: fenceDriversFromInventory({ bmcFor: () => undefined }, settings(), ignore),
    clock: systemClock,
    reportIntervalMs: NOVA_REPORT_INTERVAL_MS,
  };
}
