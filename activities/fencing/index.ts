// Fencing: prove a host is powered off through its BMC, whatever the protocol.
export type { BmcEntry, FencingSettings, SecretReference } from './bmc-entry.ts';
export type { FenceDriver, FenceProtocol, PowerState } from './fence-driver.ts';
export { createFenceDriver } from './fence-driver-factories.ts';
export { describeBmc, FENCE_PROTOCOLS, FENCE_PROTOCOL_NAMES } from './fence-protocols.ts';
export { fenceHost } from './fence-host.ts';
export type { FencingProof, FencingTiming } from './fence-host.ts';
