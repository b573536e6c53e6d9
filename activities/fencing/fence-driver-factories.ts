// Builds the FenceDriver for a BMC entry through its protocol's registry entry, the password read
// at this moment so that no configuration object ever holds it.
import type { BmcEntry, FencingSettings } from './bmc-entry.ts';
import type { FenceDriver } from './fence-driver.ts';
import type { DriverContext } from './fence-protocols.ts';
import { fenceProtocolOf } from './fence-protocols.ts';
import { readSecret } from './secret-reference.ts';

export async function createFenceDriver(
  bmc: BmcEntry,
  context: DriverContext<FencingSettings>,
): Promise<FenceDriver> {
  const password = await readSecret(bmc.password, `the BMC password of host ${context.host}`);
  return fenceProtocolOf(bmc.protocol).createDriver(bmc, password, context);
}
