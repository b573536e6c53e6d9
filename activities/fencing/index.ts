// Fencing: prove a host is powered off through its BMC, whatever the protocol.
export type { BmcEntry, FencingSettings, SecretReference } from './bmc-entry.ts';
export type { FenceDriver, FenceProtocol, PowerState } from './fence-driver.ts';
export { createFenceDriver } from './fence-driver-factories.ts';
export { describeBmc, FENCE_PROTOCOLS, FENCE_PROTOCOL_NAMES } from './fence-protocols.ts';
export { fenceHost } from './fence-host.ts';
export type { FencingProof, FencingTiming } from './fence-host.ts';
export type { FenceDeviceKind, FenceDeviceProtocol, PduProtocol } from './fence-driver.ts';
export type { FencingLevelFailure } from './fence-host.ts';
export { fenceThroughLevels } from './fencing-levels.ts';
export type { FencingLevel } from './fencing-levels.ts';
export { fencingLevelsOf } from './host-fencing-levels.ts';
export type { HostOutlets, PduEntry } from './pdu-entry.ts';
export { PDU_PROTOCOL_NAMES } from './pdu-protocols.ts';
