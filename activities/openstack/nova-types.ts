// What Lazarus reads from Nova, validated and named after the domain. The schemas follow the
// official samples (test/integration/simulator/api-samples/nova-api-samples/, microversions 2.53 to
// 2.95) and docs/nova-and-bmc-facts.md#server-fields, docs/nova-and-bmc-facts.md#listing-services,
// docs/nova-and-bmc-facts.md#listing-migrations and docs/nova-and-bmc-facts.md#instance-actions;
// only the fields Lazarus relies on are required, the rest of each record is ignored.
import { z } from 'zod';
import { parseOpenStackTime } from './openstack-time.ts';

/** A Nova time as ISO 8601 UTC ("2012-10-29T13:42:05.000000" has no zone but is UTC). */
const novaTime = z.string().transform((text, context) => {
  const ms = parseOpenStackTime(text);
  if (ms !== null) return new Date(ms).toISOString();
  context.addIssue({ code: 'custom', message: 'is not a timestamp' });
  return z.NEVER;
});

const knownServiceFields = z.object({
  id: z.string(),
  binary: z.string(),
  host: z.string(),
  zone: z.string(),
  status: z.enum(['enabled', 'disabled']),
  state: z.enum(['up', 'down']),
  updated_at: novaTime.nullable(),
  disabled_reason: z.string().nullable(),
  forced_down: z.boolean(),
});

const knownService = (s: z.output<typeof knownServiceFields>) => ({
  id: s.id,
  binary: s.binary,
  host: s.host,
  zone: s.zone,
  status: s.status,
  state: s.state,
  isForcedDown: s.forced_down,
  disabledReason: s.disabled_reason,
  updatedAt: s.updated_at,
});

export const knownServiceSchema = knownServiceFields.transform(knownService);

// From 2.69 a service in a cell Nova cannot reach comes back with three fields only (os-services/v2.69).
const unreachableServiceSchema = z.object({
  binary: z.string(),
  host: z.string(),
  status: z.literal('UNKNOWN'),
});

// Told apart by status, so a broken record is reported field by field.
export const computeServiceSchema = z
  .discriminatedUnion('status', [knownServiceFields, unreachableServiceSchema])
  .transform((s) => (s.status === 'UNKNOWN' ? s : knownService(s)));

/** A nova-compute service as `GET /os-services` shows it at 2.53+ (id is the service's uuid). */
export type KnownComputeService = ReturnType<typeof knownService>;
/** A service whose cell is down: Nova knows neither its state nor its id (2.69+). */
export type UnreachableComputeService = z.output<typeof unreachableServiceSchema>;
export type ComputeService = KnownComputeService | UnreachableComputeService;

// Embedded in the server from 2.47 (servers/v2.94 samples); swap is in MiB, "" in older flavors for none.
const flavorSchema = z.object({
  original_name: z.string(),
  vcpus: z.number().int(),
  ram: z.number().int(),
  disk: z.number().int(),
  ephemeral: z.number().int(),
  swap: z.union([z.number().int(), z.literal('')]),
  extra_specs: z.record(z.string(), z.string()).optional(),
});

export const instanceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.string(),
    tenant_id: z.string(),
    user_id: z.string(),
    metadata: z.record(z.string(), z.string()),
    // Admin-only fields (docs/nova-and-bmc-facts.md#server-fields): required, because without them
    // Lazarus cannot tell where an instance is.
    'OS-EXT-SRV-ATTR:host': z.string().nullable(),
    'OS-EXT-SRV-ATTR:hypervisor_hostname': z.string().nullable(),
    'OS-EXT-STS:vm_state': z.string(),
    'OS-EXT-STS:task_state': z.string().nullable(),
    'OS-EXT-STS:power_state': z.number().int(),
    host_status: z.string().optional(),
    locked: z.boolean(),
    flavor: flavorSchema,
    // "" when the instance boots from a volume (servers/v2.94 samples show the image form).
    image: z.union([z.literal(''), z.object({ id: z.string() })]),
    'os-extended-volumes:volumes_attached': z.array(z.object({ id: z.string() })),
    fault: z.object({ code: z.number().int(), message: z.string() }).optional(),
    created: novaTime,
    updated: novaTime,
  })
  .transform((s) => ({
    id: s.id,
    name: s.name,
    projectId: s.tenant_id,
    userId: s.user_id,
    /** ACTIVE, SHUTOFF, ERROR, REBUILD, … */
    status: s.status,
    vmState: s['OS-EXT-STS:vm_state'],
    taskState: s['OS-EXT-STS:task_state'],
    powerState: s['OS-EXT-STS:power_state'],
    host: s['OS-EXT-SRV-ATTR:host'],
    hypervisorHostname: s['OS-EXT-SRV-ATTR:hypervisor_hostname'],
    /**
     * UP, DOWN, MAINTENANCE, UNKNOWN or "" (2.16+, docs/nova-and-bmc-facts.md#how-down-is-computed);
     * null when policy hides it.
     */
    hostStatus: s.host_status ?? null,
    isLocked: s.locked,
    metadata: s.metadata,
    flavorName: s.flavor.original_name,
    /** What the flavor asks of a host: vCPUs, RAM in MiB, root and ephemeral disk in GB, swap in MiB. */
    flavorSize: {
      vcpus: s.flavor.vcpus,
      ramMb: s.flavor.ram,
      rootGb: s.flavor.disk,
      ephemeralGb: s.flavor.ephemeral,
      swapMb: s.flavor.swap === '' ? 0 : s.flavor.swap,
    },
    /** Empty when the policy hides extra specs from this account. */
    flavorExtraSpecs: s.flavor.extra_specs ?? {},
    imageId: s.image === '' ? null : s.image.id,
    isBootFromVolume: s.image === '',
    volumeIds: s['os-extended-volumes:volumes_attached'].map((v) => v.id),
    fault: s.fault === undefined ? null : { code: s.fault.code, message: s.fault.message },
    createdAt: s.created,
    updatedAt: s.updated,
  }));

/** A server as `GET /servers/detail` and `GET /servers/{id}` show it to an admin. */
export type Instance = z.output<typeof instanceSchema>;

export const migrationSchema = z
  .object({
    id: z.number().int(),
    uuid: z.string().optional(),
    instance_uuid: z.string(),
    migration_type: z.string(),
    status: z.string(),
    source_compute: z.string().nullable(),
    dest_compute: z.string().nullable(),
    dest_node: z.string().nullable(),
    created_at: novaTime,
    updated_at: novaTime.nullable(),
  })
  .transform((m) => ({
    id: m.id,
    /** Present from 2.59. */
    uuid: m.uuid ?? null,
    instanceId: m.instance_uuid,
    /** evacuation, live-migration, migration, resize (2.23+). */
    migrationType: m.migration_type,
    /**
     * For evacuations: accepted → pre-migrating → done → completed, or error / failed
     * (docs/nova-and-bmc-facts.md#migration-statuses).
     */
    status: m.status,
    sourceCompute: m.source_compute,
    /** Null until the scheduler picked a destination, unless one was asked for. */
    destCompute: m.dest_compute,
    destNode: m.dest_node,
    createdAt: m.created_at,
    updatedAt: m.updated_at,
  }));

/** A record of `GET /os-migrations`. */
export type Migration = z.output<typeof migrationSchema>;

export const hypervisorSchema = z
  .object({
    id: z.string(),
    hypervisor_hostname: z.string(),
    state: z.enum(['up', 'down']),
    status: z.enum(['enabled', 'disabled']),
    service: z.object({ host: z.string(), id: z.string() }),
  })
  .transform((h) => ({
    id: h.id,
    hypervisorHostname: h.hypervisor_hostname,
    state: h.state,
    status: h.status,
    serviceHost: h.service.host,
    serviceId: h.service.id,
  }));

/** A compute node of `GET /os-hypervisors/detail`: which service host claims which hypervisor_hostname. */
export type Hypervisor = z.output<typeof hypervisorSchema>;

const instanceActionFields = {
  action: z.string(),
  request_id: z.string(),
  message: z.string().nullable(),
  start_time: novaTime,
};

const actionView = (a: {
  action: string;
  request_id: string;
  message: string | null;
  start_time: string;
}) => ({
  action: a.action,
  requestId: a.request_id,
  message: a.message,
  startTime: a.start_time,
});

export const instanceActionSchema = z.object(instanceActionFields).transform(actionView);

/**
 * One entry of `GET /servers/{id}/os-instance-actions`; request_id is the POST's
 * x-openstack-request-id (docs/nova-and-bmc-facts.md#instance-actions).
 */
export type InstanceAction = z.output<typeof instanceActionSchema>;

export const instanceActionDetailSchema = z
  .object({
    ...instanceActionFields,
    events: z.array(
      z.object({
        event: z.string(),
        result: z.string().nullable(),
        host: z.string().nullable().optional(),
        start_time: novaTime,
        finish_time: novaTime.nullable(),
      }),
    ),
  })
  .transform((a) => ({
    ...actionView(a),
    events: a.events.map((e) => ({
      event: e.event,
      result: e.result,
      host: e.host ?? null,
      startTime: e.start_time,
      finishTime: e.finish_time,
    })),
  }));

/** An instance action with its events, e.g. compute_rebuild_instance on the destination. */
export type InstanceActionDetail = z.output<typeof instanceActionDetailSchema>;
