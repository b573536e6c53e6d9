// How Lazarus reaches one switched PDU, and which of its outlets feed a host, as the `pdus` section
// of the configuration resolves them (config/pdu-inventory.ts). The password is a reference, read
// when a driver is built, so these objects can be logged and passed around like BmcEntry.
import type { SecretReference } from './bmc-entry.ts';
import type { PduProtocol } from './pdu-protocols.ts';

export interface PduEntry {
  /** The operator's name for the PDU ("pdu-r12-a"), used in messages and proofs. */
  name: string;
  protocol: PduProtocol;
  /** The Redfish base URL, https://HOST[:PORT]. */
  address: string;
  username: string;
  password: SecretReference;
  auth: 'session' | 'basic';
  /** The RackPDU's Id, when the PDU lists more than one under /redfish/v1/PowerEquipment/RackPDUs. */
  rackPduId?: string;
}

/** The outlets of one PDU that feed one host: all of them Off is what unpowers it through this PDU. */
export interface HostOutlets {
  pdu: PduEntry;
  outletIds: readonly string[];
}
