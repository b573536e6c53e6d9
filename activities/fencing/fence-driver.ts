// One tiny interface per BMC protocol, as the ClusterLabs fence agents have one agent per protocol:
// adding a protocol means adding a driver file and its entry in fence-protocols.ts.
import type { FenceProtocol } from './fence-protocols.ts';

export type { FenceProtocol } from './fence-protocols.ts';
// fence-host.ts takes the label from here, beside the interface it labels.
export { protocolLabel } from './fence-protocols.ts';

/** What a BMC reports; `Unknown` when it answered without a usable state (Redfish allows null). */
export type PowerState = 'On' | 'Off' | 'PoweringOn' | 'PoweringOff' | 'Paused' | 'Unknown';

export interface FenceDriver {
  readonly protocol: FenceProtocol;
  /** Where the BMC is, for messages and proofs: a URL or host:port, never a credential. */
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
