// The simulated BMCs (Redfish and IPMI) of the Lazarus cloud simulator; see bmc-contract.ts.
export { startBmcFleet } from './bmc-fleet.ts';
export type * from './bmc-contract.ts';
