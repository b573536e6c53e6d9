// fenceHost as an activity: the host's BMC from the inventory, power off, read back until Off. Only
// a FencingProof lets the incident go on (docs/design.md#i1-fence-before-evacuate,
// docs/design.md#i4-force-down-after-fence); anything else is a typed failure: FencingUnproven,
// Bmc*, or ConfigurationInvalid for a host without a BMC entry.
import type { FencingProof } from '../fencing/index.ts';
import { fenceHost } from '../fencing/index.ts';
import { heartbeatWhile } from './activity-support.ts';
import type { FencingProvider } from './incident-dependencies.ts';

export async function fenceHostThroughItsBmc(
  host: string,
  fencing: FencingProvider,
): Promise<FencingProof> {
  const driver = await fencing.driverFor(host);
  try {
    return await heartbeatWhile(
      fenceHost(host, driver, fencing.timing),
      fencing.timing.pollIntervalMs,
    );
  } finally {
    await driver.close();
  }
}
