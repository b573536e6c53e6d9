// A server as an admin sees it, field by field per microversion (nova/api/openstack/compute/
// views/servers.py; the shapes in doc/api_samples/servers;
// docs/nova-and-bmc-facts.md#servers-on-a-host).
import { createHash } from 'node:crypto';
import type { Instance } from '../world/model.ts';
import type { World } from '../world/world.ts';
import type { NovaRequest } from './context.ts';
import { isoMicros, isoSeconds } from '../timestamps.ts';

/** nova/api/openstack/common.py _STATE_MAP, reduced to the states the simulator has. */
function statusOf(instance: Instance): string {
  if (instance.taskState === 'rebuilding') return 'REBUILD';
  return { active: 'ACTIVE', stopped: 'SHUTOFF', error: 'ERROR' }[instance.vmState];
}

const progressStatuses = new Set([
  'ACTIVE',
  'BUILD',
  'REBUILD',
  'RESIZE',
  'VERIFY_RESIZE',
  'MIGRATING',
]);

/** compute/api.py get_instance_host_status, as docs/nova-and-bmc-facts.md#how-down-is-computed states it. */
function hostStatus(world: World, instance: Instance): string {
  const host = instance.host === null ? undefined : world.hosts.get(instance.host);
  if (host === undefined) return '';
  const service = host.service;
  if (service.forcedDown) return 'DOWN';
  if (service.disabled) return 'MAINTENANCE';
  return world.isServiceUp(service) ? 'UP' : 'UNKNOWN';
}

/** utils.generate_hostid: sha224 of project id and host, "" without a host. */
export function hostIdOf(projectId: string, host: string | null): string {
  if (host === null || host === '') return '';
  return createHash('sha224')
    .update(projectId + host)
    .digest('hex');
}

export function serverView(
  world: World,
  instance: Instance,
  request: NovaRequest,
  isDetailOfOne: boolean,
): Record<string, unknown> {
  const mv = request.microversion;
  const status = statusOf(instance);
  const { flavor, image } = instance;
  const imageLinks = (id: string): unknown[] => [
    { href: `${request.bookmarkBase}/images/${id}`, rel: 'bookmark' },
  ];
  const server: Record<string, unknown> = {
    id: instance.uuid,
    name: instance.name,
    status,
    tenant_id: instance.projectId,
    user_id: instance.userId,
    metadata: instance.metadata,
    hostId: hostIdOf(instance.projectId, instance.host),
    image:
      image === null
        ? ''
        : {
            id: image.id,
            links: imageLinks(image.id),
            ...(mv >= 98 ? { properties: image.properties } : {}),
          },
    flavor:
      mv >= 47
        ? {
            vcpus: flavor.vcpus,
            ram: flavor.ram,
            disk: flavor.disk,
            ephemeral: flavor.ephemeral,
            swap: flavor.swap,
            original_name: flavor.name,
            extra_specs: flavor.extraSpecs,
          }
        : {
            id: flavor.id,
            links: [{ href: `${request.bookmarkBase}/flavors/${flavor.id}`, rel: 'bookmark' }],
          },
    created: isoSeconds(instance.createdAt),
    updated: isoSeconds(instance.updatedAt),
    addresses: {},
    accessIPv4: '',
    accessIPv6: '',
    links: [
      { href: `${request.linkBase}/servers/${instance.uuid}`, rel: 'self' },
      { href: `${request.bookmarkBase}/servers/${instance.uuid}`, rel: 'bookmark' },
    ],
    key_name: null,
    config_drive: '',
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': 'nova',
    'OS-EXT-SRV-ATTR:host': instance.host,
    'OS-EXT-SRV-ATTR:hypervisor_hostname': instance.host,
    'OS-EXT-SRV-ATTR:instance_name': instance.instanceName,
    'OS-EXT-STS:power_state': instance.powerState,
    'OS-EXT-STS:task_state': instance.taskState,
    'OS-EXT-STS:vm_state': instance.vmState,
    'os-extended-volumes:volumes_attached': instance.volumes.map((id) =>
      mv >= 3 ? { id, delete_on_termination: false } : { id },
    ),
    'OS-SRV-USG:launched_at': isoMicros(instance.launchedAt),
    'OS-SRV-USG:terminated_at': null,
    security_groups: [{ name: 'default' }],
  };
  if (progressStatuses.has(status)) server.progress = 0;
  if (status === 'ERROR' && instance.fault !== null) {
    const { code, message, details, created } = instance.fault;
    server.fault = { code, created: isoSeconds(created), message, details };
  }
  if (mv >= 3) {
    Object.assign(server, {
      'OS-EXT-SRV-ATTR:reservation_id': `r-${instance.uuid.slice(0, 8)}`,
      'OS-EXT-SRV-ATTR:launch_index': 0,
      'OS-EXT-SRV-ATTR:hostname': instance.name,
      'OS-EXT-SRV-ATTR:kernel_id': '',
      'OS-EXT-SRV-ATTR:ramdisk_id': '',
      'OS-EXT-SRV-ATTR:root_device_name': '/dev/vda',
      'OS-EXT-SRV-ATTR:user_data': null,
    });
  }
  if (mv >= 9) server.locked = instance.isLocked;
  if (mv >= 16) server.host_status = hostStatus(world, instance);
  if (mv >= 19) server.description = null;
  if (mv >= 26) server.tags = [];
  if (mv >= 63) server.trusted_image_certificates = null;
  if (mv >= 71 && isDetailOfOne) server.server_groups = [];
  if (mv >= 73) server.locked_reason = instance.lockedReason;
  if (mv >= 96) server.pinned_availability_zone = null;
  if (mv >= 100) server.scheduler_hints = {};
  return server;
}
