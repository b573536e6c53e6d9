// What the activities, preflight and the tests use of the OpenStack clients.
export type {
  CloudCredentials,
  CredentialRequest,
  EndpointInterface,
} from './cloud-credentials.ts';
export { resolveCloudCredentials } from './cloud-credentials.ts';
export type { KeystoneSessionOptions } from './keystone-session.ts';
export { KeystoneSession } from './keystone-session.ts';
export type { SendDeadline } from './http-transport.ts';
export type { OpenStackLogger } from './logger.ts';
export type {
  EvacuationRequest,
  MigrationFilter,
  NovaClientOptions,
  ServiceUpdate,
} from './nova-client.ts';
export { NovaClient } from './nova-client.ts';
export type {
  InventoryRecord,
  PlacementClientOptions,
  ProviderCapacity,
  ResourceClass,
} from './placement-client.ts';
export { PlacementClient } from './placement-client.ts';
export { computeHostsOf, isSchedulable, readCapacities } from './compute-capacity.ts';
export type { NegotiatedMicroversion } from './nova-microversion.ts';
export type {
  ComputeService,
  Hypervisor,
  Instance,
  InstanceAction,
  InstanceActionDetail,
  KnownComputeService,
  Migration,
  UnreachableComputeService,
} from './nova-types.ts';
export type { RetryPolicy } from './read-retries.ts';
