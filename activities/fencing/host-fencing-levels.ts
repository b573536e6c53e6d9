// A host's fencing levels from the configuration: its BMC (bmcs) first, then the PDU outlets that
// feed it (pdus), all of them together as one level. A host with only a BMC has one level, as before
// levels existed; a host with only outlets is fenced by its PDUs alone.
import type { BmcEntry, FencingSettings } from './bmc-entry.ts';
import type { FenceDeviceProtocol, FenceDriver } from './fence-driver.ts';
import { createFenceDriver } from './fence-driver-factories.ts';
import { FenceDevicesTogether } from './fence-devices-together.ts';
import type { DriverContext } from './fence-protocols.ts';
import { describeBmc } from './fence-protocols.ts';
import type { FencingLevel } from './fencing-levels.ts';
import type { HostOutlets } from './pdu-entry.ts';
import { pduProtocolOf } from './pdu-protocols.ts';
import { readSecret } from './secret-reference.ts';

export function fencingLevelsOf(
  bmc: BmcEntry | undefined,
  outlets: readonly HostOutlets[],
  context: DriverContext<FencingSettings>,
): FencingLevel[] {
  const devices: Omit<FencingLevel, 'level'>[] = [];
  if (bmc !== undefined)
    devices.push({
      device: 'bmc',
      describedAs: describeBmc(bmc),
      connect: () => createFenceDriver(bmc, context),
    });
  const [first, ...more] = outlets;
  if (first !== undefined)
    devices.push({
      device: 'pdu',
      describedAs: outlets.map(describeOutlets).join(' + '),
      connect: () => connectAll([first, ...more], context),
    });
  return devices.map((device, index) => ({ level: index + 1, ...device }));
}

/** "redfish-pdu pdu-r12-a outlets A1, B1", for the record: never a credential. */
export function describeOutlets({ pdu, outletIds }: HostOutlets): string {
  return `${pdu.protocol} ${pdu.name} outlet${outletIds.length === 1 ? '' : 's'} ${outletIds.join(', ')}`;
}

async function connectAll(
  outlets: readonly [HostOutlets, ...HostOutlets[]],
  context: DriverContext<FencingSettings>,
): Promise<FenceDriver<FenceDeviceProtocol>> {
  const drivers: FenceDriver<FenceDeviceProtocol>[] = [];
  try {
    for (const feed of outlets) drivers.push(await connectPdu(feed, context));
  } catch (error) {
    await Promise.all(drivers.map((driver) => driver.close()));
    throw error;
  }
  const [first, ...more] = drivers;
  if (first === undefined) throw new Error('a PDU level has at least one PDU');
  return more.length === 0 ? first : new FenceDevicesTogether([first, ...more]);
}

async function connectPdu(
  { pdu, outletIds }: HostOutlets,
  context: DriverContext<FencingSettings>,
): Promise<FenceDriver<FenceDeviceProtocol>> {
  const password = await readSecret(pdu.password, `the password of PDU ${pdu.name}`);
  return pduProtocolOf(pdu.protocol).createDriver(pdu, outletIds, password, context);
}
