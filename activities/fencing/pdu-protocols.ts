// The switched-PDU protocols Lazarus fences through, beside the BMC protocols of fence-protocols.ts:
// a PDU protocol is a driver file plus one entry here. PDUs share the fleet-wide `fencing` settings
// (timeouts, and for Redfish the same CA bundle and insecure switch as the BMCs).
import type { FencingSettings } from './bmc-entry.ts';
import type { DriverContext } from './fence-protocols.ts';
import { FENCE_PROTOCOLS, readCaBundle } from './fence-protocols.ts';
import type { PduEntry } from './pdu-entry.ts';
import { RedfishPduDriver } from './redfish-pdu-driver.ts';

export interface PduProtocolDefinition {
  /** How operators write the protocol's name in prose and errors. */
  label: string;
  /** Why `address` cannot reach this protocol's PDU, or undefined when it can. */
  addressProblem: (address: string) => string | undefined;
  createDriver: (
    pdu: PduEntry,
    outletIds: readonly string[],
    password: string,
    context: DriverContext<FencingSettings>,
  ) => Promise<RedfishPduDriver>;
}

export const PDU_PROTOCOLS = {
  'redfish-pdu': {
    label: 'Redfish PDU',
    // The same base URL as a Redfish BMC's.
    addressProblem: FENCE_PROTOCOLS.redfish.addressProblem,
    createDriver: async (pdu, outletIds, password, { settings, warn }) => {
      const { caBundle, isInsecure } = settings.redfish;
      return new RedfishPduDriver({
        name: pdu.name,
        baseUrl: pdu.address,
        username: pdu.username,
        password,
        auth: pdu.auth,
        isInsecure,
        warn,
        requestTimeoutMs: settings.requestTimeoutMs,
        outletIds,
        ...(caBundle === undefined ? {} : { caBundle: await readCaBundle(caBundle) }),
        ...(pdu.rackPduId === undefined ? {} : { rackPduId: pdu.rackPduId }),
      });
    },
  },
} as const satisfies Record<string, PduProtocolDefinition>;

export type PduProtocol = keyof typeof PDU_PROTOCOLS;

export const PDU_PROTOCOL_NAMES = Object.keys(PDU_PROTOCOLS) as [PduProtocol, ...PduProtocol[]];

export function pduProtocolOf(protocol: PduProtocol): PduProtocolDefinition {
  return PDU_PROTOCOLS[protocol];
}
