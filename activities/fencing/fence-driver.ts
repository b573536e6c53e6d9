// One tiny interface per fencing device protocol, as the ClusterLabs fence agents have one agent per
// protocol: adding a BMC protocol means adding a driver file and its entry in fence-protocols.ts; a
// PDU protocol, a driver file and its entry in pdu-protocols.ts.
import { FENCE_PROTOCOLS } from './fence-protocols.ts';
import type { FenceProtocol } from './fence-protocols.ts';
import { PDU_PROTOCOLS } from './pdu-protocols.ts';
import type { PduProtocol } from './pdu-protocols.ts';

export type { FenceProtocol } from './fence-protocols.ts';
export type { PduProtocol } from './pdu-protocols.ts';

/** Any device that can cut a host's power: its BMC, or a switched PDU outlet feeding it. */
export type FenceDeviceProtocol = FenceProtocol | PduProtocol;

/** What to tell an operator to check when a device of this protocol fails: "BMC" or "PDU". */
export function deviceKindOf(protocol: FenceDeviceProtocol): FenceDeviceKind {
  return protocol in PDU_PROTOCOLS ? 'pdu' : 'bmc';
}

export type FenceDeviceKind = 'bmc' | 'pdu';

/** How operators write a device protocol's name in prose and errors ("Redfish", "Redfish PDU"). */
export function protocolLabel(protocol: FenceDeviceProtocol): string {
  return protocol in PDU_PROTOCOLS
    ? PDU_PROTOCOLS[protocol as PduProtocol].label
    : FENCE_PROTOCOLS[protocol as FenceProtocol].label;
}

/** What a BMC reports; `Unknown` when it answered without a usable state (Redfish allows null). */
export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | 'Paused' | 'Unknown';

/** `Protocol` narrows what a caller holds: a BMC's driver (the default) or any fencing device's. */
export interface FenceDriver<Protocol extends FenceDeviceProtocol = FenceProtocol> {
  readonly protocol: Protocol;
  /** Where the device is, for messages and proofs: a URL or host:port, never a credential. */
  readonly address: string;
  /** The power-off command as an operator would recognise it ("ForceOff", "chassis power off"). */
  readonly powerOffCommand: string;
  /** Asks for a hard power-off. Returning is no proof: only a later powerState() of Off is. */
  powerOff(): Promise<void>;
  powerState(): Promise<PowerState>;
  powerOn(): Promise<void>;
  /** Releases what the driver holds on the BMC (a Redfish session); safe to call more than once. */
  close(): Promise<void>;
}
