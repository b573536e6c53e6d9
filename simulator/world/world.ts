// The cloud behind the APIs: machines with power, nova-compute processes that heartbeat, guests,
// and the conductor/scheduler/compute side of an evacuation. nova-api's checks live in nova/.
import { ControlPlane } from './control-plane.ts';
import type { BmcProtocol, HostPowerPort, PowerState } from '../bmc/bmc-contract.ts';
import type { SimClock } from '../clock.ts';
import type { Ledger, PowerCommandSource } from '../ledger/ledger.ts';
import type { SeededRandom } from '../random.ts';
import type { InitialWorld } from './build.ts';
import type {
  Aggregate,
  Capacity,
  ComputeService,
  FailureMode,
  Host,
  Instance,
  InstanceAction,
  InstanceActionEvent,
  Migration,
  VmState,
  WorldTiming,
} from './model.ts';
import { PowerStateCode } from './model.ts';
import { chooseDestination } from './scheduler.ts';

export class WorldError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

export interface EvacuationRequest {
  instance: Instance;
  /** The requested destination, or null to let the scheduler choose. */
  targetHost: string | null;
  /** 2.29–2.67 `force: true`: the requested host bypasses the scheduler. */
  isForced: boolean;
  /** 2.95+: the server ends stopped on the destination (unless it was in ERROR). */
  isStopAtDestination: boolean;
  requestId: string;
  userId: string;
  microversion: string;
}

const inFlight = new Set(['accepted', 'pre-migrating']);

interface PendingEvent {
  action: InstanceAction;
  event: InstanceActionEvent;
}

export class World implements HostPowerPort {
  readonly hosts = new Map<string, Host>();
  readonly instances = new Map<string, Instance>();
  readonly migrations: Migration[] = [];
  readonly controllerServices: readonly ComputeService[];
  readonly aggregates: Aggregate[];
  readonly #actions = new Map<string, InstanceAction[]>();
  readonly #instancesByHost = new Map<string, Set<Instance>>();
  /**
   * Instances that got a second evacuate while one was in flight
   * (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate).
   */
  readonly #doublyEvacuated = new Set<string>();
  /** Migrations orphaned by such a second evacuate: they stay `accepted` for ever. */
  readonly #orphans = new Set<number>();
  readonly #controlPlane: ControlPlane;

  constructor(
    initial: InitialWorld,
    private readonly clock: SimClock,
    private readonly random: SeededRandom,
    private readonly ledger: Ledger,
    readonly timing: WorldTiming,
  ) {
    for (const host of initial.hosts) {
      this.hosts.set(host.name, host);
      this.#instancesByHost.set(host.name, new Set());
    }
    for (const instance of initial.instances) {
      this.instances.set(instance.uuid, instance);
      if (instance.host !== null) this.#instancesByHost.get(instance.host)?.add(instance);
    }
    for (const action of initial.actions) this.#actionsOf(action.instanceUuid).push(action);
    this.controllerServices = initial.controllerServices;
    this.aggregates = initial.aggregates;
    this.#controlPlane = new ControlPlane(clock, {
      concurrency: timing.schedulingConcurrency,
      workMs: timing.schedulingMs,
    });
  }

  /** Simulated time, for heartbeats and other durations. */
  now(): number {
    return this.clock.now();
  }

  /** Wall-clock time, for the timestamps of records. */
  stamp(): number {
    return this.clock.wallNow();
  }

  host(name: string): Host {
    const host = this.hosts.get(name);
    if (host === undefined)
      throw new WorldError(404, `no host named ${name}; GET /_sim/state lists the hosts`);
    return host;
  }

  instancesOn(host: string): readonly Instance[] {
    return [...(this.#instancesByHost.get(host) ?? [])];
  }

  services(): ComputeService[] {
    return [...this.controllerServices, ...[...this.hosts.values()].map((h) => h.service)];
  }

  actionsOf(instanceUuid: string): readonly InstanceAction[] {
    return this.#actionsOf(instanceUuid);
  }

  // --- nova-compute heartbeats (nova/servicegroup/drivers/db.py) ---

  lastHeartbeat(service: ComputeService): number {
    const since = service.heartbeatingSince;
    if (since === null) return service.lastHeartbeat;
    const interval = this.timing.reportIntervalMs;
    return since + Math.floor((this.now() - since) / interval) * interval;
  }

  /**
   * servicegroup.API.service_is_up: forced down, or no heartbeat within service_down_time
   * (docs/nova-and-bmc-facts.md#how-down-is-computed).
   */
  isServiceUp(service: ComputeService, isForcedDown = service.forcedDown): boolean {
    return (
      !isForcedDown && this.now() - this.lastHeartbeat(service) <= this.timing.serviceDownTimeMs
    );
  }

  serviceUpdatedAt(service: ComputeService): number {
    return Math.max(service.updatedAt, this.clock.toWall(this.lastHeartbeat(service)));
  }

  /** Whether an RPC call to the host's nova-compute would be answered. */
  isComputeReachable(host: Host): boolean {
    return host.power === 'On' && host.isComputeRunning && host.failure !== 'partition';
  }

  #stopHeartbeats(host: Host): void {
    const service = host.service;
    service.lastHeartbeat = this.lastHeartbeat(service);
    service.heartbeatingSince = null;
  }

  // --- power and failures ---

  powerState(host: string): PowerState {
    return this.host(host).power;
  }

  setPower(host: string, state: PowerState, via: BmcProtocol): void {
    this.applyPower(host, state, via);
  }

  applyPower(name: string, state: PowerState, via: PowerCommandSource): void {
    const host = this.host(name);
    this.ledger.record({ kind: 'power', host: name, state, previous: host.power, via });
    if (state === host.power) return;
    if (state === 'Off') this.#powerOff(host);
    else this.#boot(host);
  }

  fail(name: string, mode: FailureMode): void {
    const host = this.host(name);
    this.ledger.record({ kind: 'host-failure', host: name, mode });
    host.failure = mode;
    if (mode === 'power-loss') {
      this.#powerOff(host);
      return;
    }
    // A crashed compute stops heartbeating; a partitioned one still runs but cannot reach the
    // database. Either way the guests keep running: the case where fencing matters.
    if (mode === 'compute-crash') host.isComputeRunning = false;
    this.#stopHeartbeats(host);
  }

  /** A host's vCPUs, RAM and disk change, as when an operator adds memory or frees a host for guests. */
  setCapacity(name: string, capacity: Capacity): void {
    this.host(name).capacity = { ...capacity };
  }

  restartCompute(name: string): void {
    const host = this.host(name);
    if (host.power === 'Off') {
      throw new WorldError(
        409,
        `host ${name} is powered off; power it on (through its BMC or POST /_sim/hosts/${name}/power) to start nova-compute`,
      );
    }
    host.failure = null;
    this.#startCompute(host);
  }

  #powerOff(host: Host): void {
    host.power = 'Off';
    host.isComputeRunning = false;
    host.guests.clear();
    this.#stopHeartbeats(host);
  }

  #boot(host: Host): void {
    host.power = 'On';
    host.failure = null;
    this.#startCompute(host);
  }

  /** nova-compute's init_host: clean up after evacuations, then sync power states. */
  #startCompute(host: Host): void {
    this.ledger.record({ kind: 'compute-restart', host: host.name });
    host.isComputeRunning = true;
    host.service.heartbeatingSince = this.now();
    // _destroy_evacuated_instances (nova/compute/manager.py): the only way `done` becomes `completed`.
    for (const migration of this.migrations) {
      if (migration.sourceCompute === host.name && migration.status === 'done') {
        host.guests.delete(migration.instanceUuid);
        this.#setMigrationStatus(migration, 'completed');
      }
    }
    for (const uuid of host.guests) {
      if (this.instances.get(uuid)?.host !== host.name) host.guests.delete(uuid);
    }
    for (const instance of this.instancesOn(host.name)) this.#syncPowerState(host, instance);
  }

  /** _sync_instance_power_state and init_host's resumption of interrupted power actions. */
  #syncPowerState(host: Host, instance: Instance): void {
    // Nova's sync leaves an instance with a task in progress alone, such as one being evacuated.
    if (instance.taskState === 'rebuilding') return;
    if (instance.taskState === 'powering-on') {
      this.#finishPowerAction(instance, 'active');
      return;
    }
    if (
      instance.taskState === 'powering-off' ||
      (instance.vmState === 'active' && !host.guests.has(instance.uuid))
    ) {
      this.#finishPowerAction(instance, 'stopped');
    }
  }

  // --- os-start / os-stop ---

  requestPowerAction(
    instance: Instance,
    action: 'start' | 'stop',
    requestId: string,
    userId: string,
  ): void {
    instance.taskState = action === 'start' ? 'powering-on' : 'powering-off';
    this.#touch(instance);
    const host = instance.host === null ? undefined : this.hosts.get(instance.host);
    const pending = this.#recordAction(
      instance,
      action,
      requestId,
      userId,
      `compute_${action}_instance`,
      host?.name ?? '',
    );
    // A cast to a dead or unreachable compute is lost; init_host picks the task up on restart.
    if (host === undefined || !this.isComputeReachable(host)) return;
    this.clock.schedule(this.timing.powerActionMs, () => {
      this.#finishPowerAction(instance, action === 'start' ? 'active' : 'stopped');
      this.#finishEvent(pending, 'Success');
    });
  }

  #finishPowerAction(instance: Instance, vmState: 'active' | 'stopped'): void {
    const host = instance.host === null ? undefined : this.hosts.get(instance.host);
    instance.vmState = vmState;
    instance.taskState = null;
    instance.powerState = vmState === 'active' ? PowerStateCode.RUNNING : PowerStateCode.SHUTDOWN;
    if (vmState === 'active') host?.guests.add(instance.uuid);
    else host?.guests.delete(instance.uuid);
    this.#touch(instance);
  }

  recordAdminAction(instance: Instance, action: string, requestId: string, userId: string): void {
    this.#touch(instance);
    this.#finishEvent(
      this.#recordAction(instance, action, requestId, userId, `api_${action}`, instance.host ?? ''),
      'Success',
    );
  }

  // --- evacuation: conductor, scheduler and destination compute (docs/nova-and-bmc-facts.md#migration-statuses) ---

  acceptEvacuation(request: EvacuationRequest): Migration {
    const { instance } = request;
    const source = this.host(instance.host ?? '');
    const isSecond = this.migrations.some(
      (m) => m.instanceUuid === instance.uuid && inFlight.has(m.status) && !this.#orphans.has(m.id),
    );
    const now = this.stamp();
    const migration: Migration = {
      id: this.migrations.length + 1,
      uuid: this.random.uuid(),
      instanceUuid: instance.uuid,
      sourceCompute: source.name,
      sourceNode: source.name,
      destCompute: request.targetHost,
      destNode: null,
      destHost: null,
      status: 'accepted',
      migrationType: 'evacuation',
      createdAt: now,
      updatedAt: null,
      userId: request.userId,
      projectId: instance.projectId,
    };
    this.migrations.push(migration);
    instance.taskState = 'rebuilding';
    this.#touch(instance);
    const pending = this.#recordAction(
      instance,
      'evacuate',
      request.requestId,
      request.userId,
      'compute_rebuild_instance',
      '',
    );
    this.ledger.record({
      kind: 'evacuate',
      instance: instance.uuid,
      sourceHost: source.name,
      sourcePower: source.power,
      targetHost: request.targetHost,
      migrationId: migration.id,
      requestId: request.requestId,
      microversion: request.microversion,
    });
    if (isSecond) {
      // Observed on real Nova: the second request's migration is never picked up and the first
      // rebuild finds the guest already defined, leaving the server in ERROR.
      this.#orphans.add(migration.id);
      this.#doublyEvacuated.add(instance.uuid);
      return migration;
    }
    const originalState = instance.vmState;
    this.#controlPlane.submit(() => {
      this.#claimDestination(request, migration, pending, originalState);
    });
    return migration;
  }

  #claimDestination(
    request: EvacuationRequest,
    migration: Migration,
    pending: PendingEvent,
    originalState: VmState,
  ): void {
    const { instance } = request;
    const destination =
      request.targetHost !== null && request.isForced
        ? request.targetHost
        : this.#schedule(instance, migration.sourceCompute, request.targetHost);
    if (destination === null) {
      // conductor/manager.py rebuild_instance: NoValidHost → migration `error`, server ERROR.
      this.#setMigrationStatus(migration, 'error');
      this.#failInstance(
        instance,
        'No valid host was found. There are not enough hosts available.',
      );
      pending.event.event = 'conductor_rebuild_server';
      this.#finishEvent(pending, 'Error');
      return;
    }
    const host = this.host(destination);
    migration.destCompute = destination;
    migration.destNode = destination;
    migration.destHost = host.hostIp;
    pending.event.host = destination;
    this.#setMigrationStatus(migration, 'pre-migrating');
    this.clock.schedule(this.timing.rebuildMs, () => {
      this.#finishRebuild(request, migration, pending, originalState);
    });
  }

  #finishRebuild(
    request: EvacuationRequest,
    migration: Migration,
    pending: PendingEvent,
    originalState: VmState,
  ): void {
    const { instance } = request;
    const destination = this.host(migration.destCompute ?? '');
    if (!this.isComputeReachable(destination)) {
      this.#setMigrationStatus(migration, 'failed');
      this.#failInstance(
        instance,
        `Compute host ${destination.name} stopped responding during the rebuild`,
      );
      this.#finishEvent(pending, 'Error');
      return;
    }
    // Nova sets the status, then the host, then marks the migration done (integrated_helpers.py).
    if (this.#doublyEvacuated.delete(instance.uuid)) {
      this.#failInstance(instance, `Instance ${instance.instanceName} already exists.`);
      this.#finishEvent(pending, 'Error');
    } else {
      const isStopped =
        originalState === 'stopped' || (request.isStopAtDestination && originalState !== 'error');
      this.#finishPowerAction(instance, isStopped ? 'stopped' : 'active');
      this.#finishEvent(pending, 'Success');
    }
    this.#moveInstance(instance, destination);
    if (instance.vmState === 'active') destination.guests.add(instance.uuid);
    this.#setMigrationStatus(migration, 'done');
  }

  #schedule(instance: Instance, source: string, requested: string | null): string | null {
    const candidates = [...this.hosts.values()]
      .filter((h) => h.name !== source && (requested === null || h.name === requested))
      .map((h) => ({
        name: h.name,
        isEnabled: !h.service.disabled,
        isUp: this.isServiceUp(h.service),
        free: this.freeCapacity(h),
      }));
    const { vcpus, ram, disk } = instance.flavor;
    return chooseDestination(candidates, { vcpus, ramMb: ram, diskGb: disk });
  }

  /** Placement's view: instances on the host, claims of evacuations to it, and allocations
   * an evacuation leaves on its source until that compute restarts. */
  freeCapacity(host: Host): Capacity {
    const used = { vcpus: 0, ramMb: 0, diskGb: 0 };
    const add = (instance: Instance | undefined): void => {
      if (instance === undefined) return;
      used.vcpus += instance.flavor.vcpus;
      used.ramMb += instance.flavor.ram;
      used.diskGb += instance.flavor.disk;
    };
    for (const instance of this.#instancesByHost.get(host.name) ?? []) add(instance);
    for (const m of this.migrations) {
      const isClaim = m.status === 'pre-migrating' && m.destCompute === host.name;
      const isLeftover = m.status === 'done' && m.sourceCompute === host.name;
      if (isClaim || isLeftover) add(this.instances.get(m.instanceUuid));
    }
    return {
      vcpus: host.capacity.vcpus - used.vcpus,
      ramMb: host.capacity.ramMb - used.ramMb,
      diskGb: host.capacity.diskGb - used.diskGb,
    };
  }

  #moveInstance(instance: Instance, destination: Host): void {
    if (instance.host !== null) this.#instancesByHost.get(instance.host)?.delete(instance);
    instance.host = destination.name;
    this.#instancesByHost.get(destination.name)?.add(instance);
  }

  #failInstance(instance: Instance, message: string): void {
    instance.vmState = 'error';
    instance.taskState = null;
    instance.fault = { code: 500, message, details: '', created: this.stamp() };
    this.#touch(instance);
  }

  #setMigrationStatus(migration: Migration, status: Migration['status']): void {
    migration.status = status;
    migration.updatedAt = this.stamp();
    if (status === 'error' || status === 'failed')
      this.ledger.record({
        kind: 'evacuation-failed',
        instance: migration.instanceUuid,
        migrationId: migration.id,
        status,
      });
  }

  #touch(instance: Instance): void {
    instance.updatedAt = this.stamp();
  }

  #actionsOf(instanceUuid: string): InstanceAction[] {
    let list = this.#actions.get(instanceUuid);
    if (list === undefined) {
      list = [];
      this.#actions.set(instanceUuid, list);
    }
    return list;
  }

  #recordAction(
    instance: Instance,
    action: string,
    requestId: string,
    userId: string,
    eventName: string,
    host: string,
  ): PendingEvent {
    const now = this.stamp();
    const event: InstanceActionEvent = {
      event: eventName,
      host,
      result: null,
      startTime: now,
      finishTime: null,
      traceback: null,
    };
    const record: InstanceAction = {
      instanceUuid: instance.uuid,
      action,
      requestId,
      userId,
      projectId: instance.projectId,
      startTime: now,
      updatedAt: now,
      message: null,
      events: [event],
    };
    this.#actionsOf(instance.uuid).push(record);
    return { action: record, event };
  }

  #finishEvent({ action, event }: PendingEvent, result: 'Success' | 'Error'): void {
    const now = this.stamp();
    event.result = result;
    event.finishTime = now;
    action.updatedAt = now;
    if (result === 'Error') {
      // nova/compute/utils.py EventReporter: a failed event carries a traceback; the action says Error.
      event.traceback = 'Traceback (most recent call last):\n  (simulated)';
      action.message = 'Error';
    }
  }
}
