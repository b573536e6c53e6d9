// What a test (in-process) or the admin API (over HTTP) can do to the simulated cloud.
import type { BmcFaults, PowerState } from './bmc/bmc-contract.ts';
import type { FaultRule } from './http/faults.ts';
import type { Violation } from './ledger/invariants.ts';
import type { LedgerEntry } from './ledger/ledger.ts';
import { isoMicros } from './timestamps.ts';
import type { Capacity, FailureMode } from './world/model.ts';
import type { World } from './world/world.ts';

export interface SimulatorControls {
  failHost(host: string, mode: FailureMode): void;
  restartCompute(host: string): void;
  /** The host's vCPUs, RAM and disk, as Placement's inventory shows them and the scheduler places against them. */
  setHostCapacity(host: string, capacity: Capacity): void;
  /** Powers a host on or off without a BMC (recorded in the ledger as `sim-admin`). */
  setPower(host: string, state: PowerState): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  faults(): FaultRule[];
  setBmcFaults(host: string, faults: BmcFaults): void;
  /** Replaces the rack PDU's faults (409 when the simulator has no PDU). */
  setPduFaults(faults: BmcFaults): void;
  /** Expires every Keystone token now, so clients must re-authenticate. */
  expireTokens(): void;
  /**
   * The admin's password changes, as an operator's rotation does: Keystone answers the old one 401
   * and every token expires. clouds.yaml keeps the old password until it is written again.
   */
  rotatePassword(): void;
  /** Requests Nova's API received so far, whatever their answers. */
  novaRequests(): number;
  /** The same requests by method and route (`GET os-migrations`), `(other)` for no route. */
  novaRequestsByKind(): Record<string, number>;
  ledger(): readonly LedgerEntry[];
  invariants(): { violations: Violation[] };
  state(): SimulatorState;
}

export interface SimulatorState {
  now: string;
  hosts: {
    name: string;
    power: PowerState;
    failure: FailureMode | null;
    isComputeRunning: boolean;
    service: {
      uuid: string;
      status: 'enabled' | 'disabled';
      state: 'up' | 'down';
      forcedDown: boolean;
      disabledReason: string | null;
    };
    instances: number;
    /** Guests really running there, including ones Nova has already moved elsewhere. */
    runningGuests: number;
  }[];
  instances: {
    uuid: string;
    name: string;
    host: string | null;
    vmState: string;
    taskState: string | null;
    runningOn: string[];
  }[];
  migrations: {
    id: number;
    uuid: string;
    instanceUuid: string;
    source: string;
    dest: string | null;
    status: string;
  }[];
}

export function describeWorld(world: World): SimulatorState {
  const runningOn = new Map<string, string[]>();
  for (const host of world.hosts.values()) {
    for (const uuid of host.guests)
      runningOn.set(uuid, [...(runningOn.get(uuid) ?? []), host.name]);
  }
  return {
    now: `${isoMicros(world.stamp())}Z`,
    hosts: [...world.hosts.values()].map((h) => ({
      name: h.name,
      power: h.power,
      failure: h.failure,
      isComputeRunning: h.isComputeRunning,
      service: {
        uuid: h.service.uuid,
        status: h.service.disabled ? 'disabled' : 'enabled',
        state: world.isServiceUp(h.service) ? 'up' : 'down',
        forcedDown: h.service.forcedDown,
        disabledReason: h.service.disabledReason,
      },
      instances: world.instancesOn(h.name).length,
      runningGuests: h.guests.size,
    })),
    instances: [...world.instances.values()].map((i) => ({
      uuid: i.uuid,
      name: i.name,
      host: i.host,
      vmState: i.vmState,
      taskState: i.taskState,
      runningOn: runningOn.get(i.uuid) ?? [],
    })),
    migrations: world.migrations.map((m) => ({
      id: m.id,
      uuid: m.uuid,
      instanceUuid: m.instanceUuid,
      source: m.sourceCompute,
      dest: m.destCompute,
      status: m.status,
    })),
  };
}
