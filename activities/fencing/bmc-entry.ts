// How Lazarus reaches one host's BMC, as the configuration resolves it. Passwords appear only as
// references (an environment variable or a file), read when a driver is built, so this object can
// be logged, compared or passed around without leaking a secret. The protocol-specific parts come
// from the protocol registry (fence-protocols.ts), so a new protocol adds no type here.
import type { BmcEntryOf, FenceProtocol, ProtocolSettings } from './fence-protocols.ts';

export type SecretReference = { env: string } | { file: string };

/** What every protocol's entry has. */
export interface BmcCommon {
  /** A Redfish base URL (https://bmc-cmp-07.mgmt.example) or an IPMI host name; each protocol checks its own form. */
  address: string;
  username: string;
  password: SecretReference;
}

export type BmcEntry = { [P in FenceProtocol]: BmcEntryOf<P> }[FenceProtocol];

/** The fleet-wide timing every driver gets. */
export interface FencingTimeouts {
  powerOffTimeoutMs: number;
  pollIntervalMs: number;
  /** Per Redfish request and per ipmitool call. */
  requestTimeoutMs: number;
}

/** Fleet-wide fencing settings (the `fencing` section of the configuration), each protocol's included. */
export type FencingSettings = FencingTimeouts & ProtocolSettings;
