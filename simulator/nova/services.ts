// GET/PUT /os-services (nova/api/openstack/compute/services.py; docs/nova-and-bmc-facts.md#compute-services).
import { z } from 'zod';
import type { Reply } from '../http/server.ts';
import type { ComputeService } from '../world/model.ts';
import type { NovaDeps, NovaHandler, NovaRequest } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { isoMicros } from '../timestamps.ts';
import { isUuid, novaBoolean, parseBody, rejectUnknownQuery } from './validation.ts';

function serviceView(
  deps: NovaDeps,
  service: ComputeService,
  microversion: number,
): Record<string, unknown> {
  return {
    id: microversion >= 53 ? service.uuid : service.id,
    binary: service.binary,
    disabled_reason: service.disabledReason,
    host: service.host,
    state: deps.world.isServiceUp(service) ? 'up' : 'down',
    status: service.disabled ? 'disabled' : 'enabled',
    updated_at: isoMicros(deps.world.serviceUpdatedAt(service)),
    ...(microversion >= 11 ? { forced_down: service.forcedDown } : {}),
    zone: service.zone,
  };
}

export const listServices: NovaHandler = (deps, request) => {
  if (request.microversion >= 75) rejectUnknownQuery(request.query, ['host', 'binary']);
  const host = request.query.get('host');
  const binary = request.query.get('binary');
  const services = deps.world
    .services()
    .filter((s) => (host === null || s.host === host) && (binary === null || s.binary === binary));
  return {
    status: 200,
    body: { services: services.map((s) => serviceView(deps, s, request.microversion)) },
  };
};

const updateSchema = z
  .object({
    status: z.enum(['enabled', 'disabled']).optional(),
    disabled_reason: z.string().min(1).max(255).optional(),
    forced_down: novaBoolean.optional(),
  })
  .strict();

const legacySchema = z
  .object({
    host: z.string().min(1).max(255),
    binary: z.string().min(1).max(255),
    disabled_reason: z.string().min(1).max(255).optional(),
    forced_down: novaBoolean.optional(),
  })
  .strict();

type ServiceChange = z.output<typeof updateSchema>;

export const updateService: NovaHandler = async (deps, request) => {
  const id = request.params.id ?? '';
  if (request.microversion < 53) return updateServiceLegacy(deps, request, id);
  if (!isUuid(id)) throw badRequest(`Invalid uuid ${id}`);
  const service = deps.world.services().find((s) => s.uuid === id);
  if (service === undefined) throw notFound(`Service ${id} could not be found.`);
  const body = parseBody(updateSchema, 'service', request.body);
  if (service.binary !== 'nova-compute') {
    throw badRequest(
      `Updating a ${service.binary} service is not supported. Only nova-compute services can be updated.`,
    );
  }
  if (body.status === 'enabled' && body.disabled_reason !== undefined) {
    throw badRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
  }
  if (body.status === undefined && body.forced_down === undefined) {
    throw badRequest(
      "No updates were requested. Fields 'status' or 'forced_down' should be specified.",
    );
  }
  await applyServiceChange(deps, request, service, body);
  return { status: 200, body: { service: serviceView(deps, service, request.microversion) } };
};

/** The pre-2.53 forms: PUT /os-services/{enable|disable|disable-log-reason|force-down}. */
async function updateServiceLegacy(
  deps: NovaDeps,
  request: NovaRequest,
  action: string,
): Promise<Reply> {
  const isKnown =
    ['enable', 'disable', 'disable-log-reason'].includes(action) ||
    (action === 'force-down' && request.microversion >= 11);
  if (!isKnown) throw notFound('Unknown action');
  const body = parseBody(legacySchema, 'service', request.body);
  const service = deps.world
    .services()
    .find((s) => s.host === body.host && s.binary === body.binary);
  if (service === undefined)
    throw notFound(`Could not find binary ${body.binary} on host ${body.host}.`);
  const identity = { host: body.host, binary: body.binary };
  if (action === 'force-down') {
    if (body.forced_down === undefined) throw badRequest('Missing forced_down field');
    await applyServiceChange(deps, request, service, { forced_down: body.forced_down });
    return { status: 200, body: { service: { ...identity, forced_down: service.forcedDown } } };
  }
  if (action === 'disable-log-reason') {
    if (body.disabled_reason === undefined) throw badRequest('Missing disabled reason field');
    await applyServiceChange(deps, request, service, {
      status: 'disabled',
      disabled_reason: body.disabled_reason,
    });
    return {
      status: 200,
      body: { service: { ...identity, disabled_reason: body.disabled_reason, status: 'disabled' } },
    };
  }
  const status = action === 'enable' ? 'enabled' : 'disabled';
  await applyServiceChange(deps, request, service, { status });
  return { status: 200, body: { service: { ...identity, status } } };
}

async function applyServiceChange(
  deps: NovaDeps,
  request: NovaRequest,
  service: ComputeService,
  change: ServiceChange,
): Promise<void> {
  const { world } = deps;
  if (change.forced_down === false && service.binary === 'nova-compute') {
    // _check_for_evacuations (services.py): un-forcing waits until the restarted source compute has
    // moved its evacuations from `done` to `completed`
    // (docs/nova-and-bmc-facts.md#un-forcing-after-evacuation).
    const isBlocked = world.migrations.some(
      (m) => m.sourceCompute === service.host && m.status === 'done',
    );
    if (isBlocked) {
      throw badRequest(
        `Unable to force up host ${service.host} as \`done\` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to \`completed\` before retrying this request.`,
      );
    }
  }
  const isForcedDownAfter = change.forced_down ?? service.forcedDown;
  const isDisableChanging =
    change.status !== undefined && (change.status === 'disabled') !== service.disabled;
  const host = world.hosts.get(service.host);
  // HostAPI.service_update calls set_host_enabled on the compute only while the service looks up; a
  // compute that died less than service_down_time ago never answers, so the PUT waits for
  // rpc_response_timeout before saving (observed 60.0 s,
  // docs/nova-and-bmc-facts.md#the-60-second-disable-trap).
  if (
    isDisableChanging &&
    world.isServiceUp(service, isForcedDownAfter) &&
    host !== undefined &&
    !world.isComputeReachable(host)
  ) {
    await deps.clock.sleep(world.timing.rpcTimeoutMs);
  }
  if (change.forced_down !== undefined) service.forcedDown = change.forced_down;
  if (change.status !== undefined) {
    service.disabled = change.status === 'disabled';
    service.disabledReason = change.status === 'disabled' ? (change.disabled_reason ?? null) : null;
  }
  service.updatedAt = world.stamp();
  deps.ledger.record({
    kind: 'service-update',
    host: service.host,
    binary: service.binary,
    power: host?.power ?? 'On',
    requestId: request.requestId,
    ...(change.status === undefined
      ? {}
      : { status: change.status, disabledReason: service.disabledReason }),
    ...(change.forced_down === undefined ? {} : { forcedDown: change.forced_down }),
  });
}
