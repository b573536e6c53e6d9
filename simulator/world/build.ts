// Generates the initial cloud from a seed: the same seed gives the same hosts, instances and ids.
import type { Identity } from '../identity.ts';
import type { SeededRandom } from '../random.ts';
import type {
  Aggregate,
  Capacity,
  ComputeService,
  Flavor,
  Host,
  Image,
  Instance,
  InstanceAction,
  ServiceBinary,
  VmState,
} from './model.ts';
import { PowerStateCode } from './model.ts';

export interface WorldShape {
  hosts: number;
  instancesPerHost: number;
  /** Hosts added after the others with no instances: room to evacuate to. */
  spareHosts?: number;
  /** Every host's vCPUs, RAM and disk; a cloud with little room when small (the seeded guests may overfill it). */
  hostCapacity?: Capacity;
}

export interface InitialWorld {
  hosts: Host[];
  instances: Instance[];
  controllerServices: ComputeService[];
  aggregates: Aggregate[];
  actions: InstanceAction[];
}

const flavors: readonly Flavor[] = [
  {
    id: '1',
    name: 'm1.small',
    vcpus: 1,
    ram: 2048,
    disk: 20,
    ephemeral: 0,
    swap: 0,
    extraSpecs: {},
  },
  {
    id: '2',
    name: 'm1.medium',
    vcpus: 2,
    ram: 4096,
    disk: 40,
    ephemeral: 0,
    swap: 0,
    extraSpecs: { 'hw:cpu_policy': 'shared' },
  },
  {
    id: '3',
    name: 'm1.large',
    vcpus: 4,
    ram: 8192,
    disk: 80,
    ephemeral: 0,
    swap: 0,
    extraSpecs: { 'hw:mem_page_size': 'large' },
  },
  // Pacemaker's NovaEvacuate convention marks protected flavors with this extra spec.
  {
    id: '4',
    name: 'ha.medium',
    vcpus: 2,
    ram: 4096,
    disk: 40,
    ephemeral: 0,
    swap: 0,
    extraSpecs: { evacuable: 'true' },
  },
];

/** Room for every instance of two failed hosts on the rest of a 3-host cloud with 40 per host. */
const hostCapacity = { vcpus: 512, ramMb: 1_048_576, diskGb: 16_000 };

function hostName(index: number, total: number): string {
  return `cmp-${String(index + 1).padStart(Math.max(2, String(total).length), '0')}`;
}

export function buildWorld(
  shape: WorldShape,
  identity: Identity,
  random: SeededRandom,
  now: number,
): InitialWorld {
  const images: Image[] = [
    { id: random.uuid(), name: 'cirros-0.6.2', properties: {} },
    {
      id: random.uuid(),
      name: 'ubuntu-22.04',
      properties: { os_distro: 'ubuntu', hw_disk_bus: 'virtio' },
    },
    { id: random.uuid(), name: 'db-appliance', properties: { evacuable: 'true' } },
  ];
  const service = (
    id: number,
    binary: ServiceBinary,
    host: string,
    zone: string,
  ): ComputeService => ({
    id,
    uuid: random.uuid(),
    binary,
    host,
    zone,
    disabled: false,
    disabledReason: null,
    forcedDown: false,
    createdAt: now,
    updatedAt: now,
    heartbeatingSince: now,
    lastHeartbeat: now,
  });
  const controllerServices = [
    service(1, 'nova-scheduler', 'controller', 'internal'),
    service(2, 'nova-conductor', 'controller', 'internal'),
  ];
  const hosts: Host[] = [];
  const instances: Instance[] = [];
  const actions: InstanceAction[] = [];
  const totalHosts = shape.hosts + (shape.spareHosts ?? 0);
  for (let h = 0; h < totalHosts; h += 1) {
    const name = hostName(h, totalHosts);
    const host: Host = {
      name,
      power: 'On',
      failure: null,
      isComputeRunning: true,
      capacity: shape.hostCapacity ?? hostCapacity,
      hypervisorId: h + 1,
      hypervisorUuid: random.uuid(),
      hostIp: `192.168.${Math.floor(h / 250)}.${(h % 250) + 1}`,
      service: service(h + 3, 'nova-compute', name, 'nova'),
      guests: new Set(),
    };
    hosts.push(host);
    for (let i = 0; i < (h < shape.hosts ? shape.instancesPerHost : 0); i += 1) {
      const instance = buildInstance(instances.length + 1, host, identity, images, random, now);
      if (instance.vmState === 'active') host.guests.add(instance.uuid);
      instances.push(instance);
      actions.push({
        instanceUuid: instance.uuid,
        action: 'create',
        requestId: `req-${random.uuid()}`,
        userId: instance.userId,
        projectId: instance.projectId,
        startTime: instance.createdAt,
        updatedAt: instance.launchedAt,
        message: null,
        events: [
          {
            event: 'compute__do_build_and_run_instance',
            host: name,
            result: instance.vmState === 'error' ? 'Error' : 'Success',
            startTime: instance.createdAt,
            finishTime: instance.launchedAt,
            traceback: null,
          },
        ],
      });
    }
  }
  const aggregates: Aggregate[] = [
    {
      id: 1,
      uuid: random.uuid(),
      name: 'reserved',
      availabilityZone: null,
      hosts: [],
      metadata: {},
      createdAt: now,
      updatedAt: now,
    },
  ];
  return { hosts, instances, controllerServices, aggregates, actions };
}

function buildInstance(
  serial: number,
  host: Host,
  identity: Identity,
  images: readonly Image[],
  random: SeededRandom,
  now: number,
): Instance {
  const pick = <T>(items: readonly T[]): T => {
    const item = items[random.below(items.length)];
    if (item === undefined) throw new Error('cannot pick from an empty list');
    return item;
  };
  const flavor = pick(flavors);
  const isBootFromVolume = random.next() < 0.3;
  const roll = random.next();
  const vmState: VmState = roll < 0.1 ? 'stopped' : roll < 0.14 ? 'error' : 'active';
  // Masakari's convention for protected instances is this metadata key.
  const metadata: Record<string, string> = random.next() < 0.5 ? { HA_Enabled: 'True' } : {};
  const isLocked = random.next() < 0.05;
  // A day ago, 10 ms apart: distinct creation times (Nova sorts by them) that stay in the past.
  const createdAt = now - 86_400_000 + serial * 10;
  return {
    uuid: random.uuid(),
    name: `vm-${String(serial).padStart(5, '0')}`,
    instanceName: `instance-${serial.toString(16).padStart(8, '0')}`,
    projectId: pick(identity.tenantProjects).id,
    userId: identity.tenantUser.id,
    host: host.name,
    vmState,
    taskState: null,
    powerState:
      vmState === 'active'
        ? PowerStateCode.RUNNING
        : vmState === 'stopped'
          ? PowerStateCode.SHUTDOWN
          : PowerStateCode.NOSTATE,
    flavor,
    image: isBootFromVolume ? null : pick(images),
    volumes: isBootFromVolume ? [random.uuid()] : [],
    metadata,
    isLocked,
    lockedReason: isLocked ? 'maintenance window' : null,
    createdAt,
    updatedAt: createdAt + 2000,
    launchedAt: createdAt + 2000,
    fault:
      vmState === 'error'
        ? {
            code: 500,
            message: 'Build of instance aborted: simulated failure',
            details: '',
            created: createdAt + 2000,
          }
        : null,
  };
}
