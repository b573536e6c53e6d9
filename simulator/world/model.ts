// The simulated cloud's state, named after the Nova objects it mirrors (nova/objects/*.py).
import type { PowerState } from '../bmc/bmc-contract.ts';

export type FailureMode = 'power-loss' | 'compute-crash' | 'partition';
export const failureModes: readonly FailureMode[] = ['power-loss', 'compute-crash', 'partition'];

export type VmState = 'active' | 'stopped' | 'error';
export type TaskState = 'rebuilding' | 'powering-off' | 'powering-on' | null;

/** nova/objects/fields.py PowerState values as the API reports them (docs/nova-and-bmc-facts.md#server-fields). */
export const PowerStateCode = { NOSTATE: 0, RUNNING: 1, SHUTDOWN: 4 } as const;

export type MigrationStatus =
  'accepted' | 'pre-migrating' | 'done' | 'completed' | 'error' | 'failed';

export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ram: number;
  disk: number;
  ephemeral: number;
  swap: number;
  extraSpecs: Record<string, string>;
}

export interface Image {
  id: string;
  name: string;
  properties: Record<string, string>;
}

export type ServiceBinary = 'nova-compute' | 'nova-scheduler' | 'nova-conductor';

export interface ComputeService {
  id: number;
  uuid: string;
  binary: ServiceBinary;
  host: string;
  zone: string;
  disabled: boolean;
  disabledReason: string | null;
  forcedDown: boolean;
  createdAt: number;
  /** The DB row's updated_at: bumped by heartbeats and by admin PUTs (docs/nova-and-bmc-facts.md#listing-services). */
  updatedAt: number;
  /** When the current run of heartbeats began; null while none reach the database. */
  heartbeatingSince: number | null;
  /** The last heartbeat before heartbeats stopped. */
  lastHeartbeat: number;
}

export interface Capacity {
  vcpus: number;
  ramMb: number;
  diskGb: number;
}

export interface Host {
  name: string;
  power: PowerState;
  failure: FailureMode | null;
  /** Whether the nova-compute process runs (it may still be cut off by a partition). */
  isComputeRunning: boolean;
  capacity: Capacity;
  hypervisorId: number;
  hypervisorUuid: string;
  hostIp: string;
  service: ComputeService;
  /** Guests really running on this machine, whatever Nova's database says. */
  guests: Set<string>;
}

export interface InstanceFault {
  code: number;
  message: string;
  details: string;
  created: number;
}

export interface Instance {
  uuid: string;
  name: string;
  /** libvirt-style name, e.g. instance-0000002a (OS-EXT-SRV-ATTR:instance_name). */
  instanceName: string;
  projectId: string;
  userId: string;
  host: string | null;
  vmState: VmState;
  taskState: TaskState;
  powerState: number;
  flavor: Flavor;
  /** null for boot-from-volume, whose `image` the API shows as "". */
  image: Image | null;
  volumes: string[];
  metadata: Record<string, string>;
  isLocked: boolean;
  lockedReason: string | null;
  createdAt: number;
  updatedAt: number;
  launchedAt: number;
  fault: InstanceFault | null;
}

export interface Migration {
  id: number;
  uuid: string;
  instanceUuid: string;
  sourceCompute: string;
  sourceNode: string;
  destCompute: string | null;
  destNode: string | null;
  destHost: string | null;
  status: MigrationStatus;
  migrationType: 'evacuation';
  createdAt: number;
  /** Null until the conductor first changes the record: nova-api creates it without updated_at. */
  updatedAt: number | null;
  userId: string;
  projectId: string;
}

export interface InstanceActionEvent {
  event: string;
  host: string;
  result: 'Success' | 'Error' | null;
  startTime: number;
  finishTime: number | null;
  traceback: string | null;
}

export interface InstanceAction {
  instanceUuid: string;
  action: string;
  requestId: string;
  userId: string;
  projectId: string;
  startTime: number;
  updatedAt: number;
  message: string | null;
  events: InstanceActionEvent[];
}

export interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  availabilityZone: string | null;
  hosts: string[];
  metadata: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** Timing knobs, in simulated milliseconds. */
export interface WorldTiming {
  /** nova.conf report_interval (10 s by default). */
  reportIntervalMs: number;
  /** nova.conf service_down_time (60 s by default). */
  serviceDownTimeMs: number;
  /** rpc_response_timeout: how long an RPC to a dead compute blocks (60 s by default). */
  rpcTimeoutMs: number;
  /** Conductor and scheduler time before a destination is claimed, per evacuation when alone. */
  schedulingMs: number;
  /**
   * Evacuations the conductor and scheduler work on at once; the others wait their turn, in order.
   * 1 by default, as measured on the real-Nova tier (docs/nova-and-bmc-facts.md#nova-capacity).
   * Infinity: no limit.
   */
  schedulingConcurrency: number;
  /** The destination's rebuild, from claim to `done`. */
  rebuildMs: number;
  /** os-start / os-stop on a running compute. */
  powerActionMs: number;
}

export const defaultTiming: WorldTiming = {
  reportIntervalMs: 10_000,
  serviceDownTimeMs: 60_000,
  rpcTimeoutMs: 60_000,
  schedulingMs: 200,
  schedulingConcurrency: 1,
  rebuildMs: 1_000,
  powerActionMs: 500,
};
