// GET /os-hypervisors[/detail|/{id}] (nova/api/openstack/compute/hypervisors.py;
// docs/nova-and-bmc-facts.md#other-nova-calls).
import type { Host } from '../world/model.ts';
import type { NovaDeps, NovaHandler, NovaRequest } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { paginate } from './paging.ts';
import { novaBoolean, parseBody } from './validation.ts';

function hypervisorView(
  deps: NovaDeps,
  host: Host,
  request: NovaRequest,
  isDetailed: boolean,
  withServers: boolean,
): Record<string, unknown> {
  const { world } = deps;
  const mv = request.microversion;
  const service = host.service;
  const view: Record<string, unknown> = {
    id: mv >= 53 ? host.hypervisorUuid : host.hypervisorId,
    hypervisor_hostname: host.name,
    state: world.isServiceUp(service) ? 'up' : 'down',
    status: service.disabled ? 'disabled' : 'enabled',
  };
  const instances = world.instancesOn(host.name);
  if (withServers && instances.length > 0)
    view.servers = instances.map((i) => ({ name: i.instanceName, uuid: i.uuid }));
  if (!isDetailed) return view;
  Object.assign(view, {
    host_ip: host.hostIp,
    hypervisor_type: 'fake',
    hypervisor_version: 1000,
    service: {
      host: host.name,
      id: mv >= 53 ? service.uuid : service.id,
      disabled_reason: service.disabledReason,
    },
  });
  // 2.88 dropped the resource statistics (placement owns them) and added uptime.
  if (mv >= 88) return { ...view, uptime: null };
  const free = world.freeCapacity(host);
  const { capacity } = host;
  return {
    ...view,
    cpu_info: {
      arch: 'x86_64',
      model: 'Nehalem',
      vendor: 'Intel',
      features: ['pge', 'clflush'],
      topology: { cores: 1, threads: 1, sockets: 4 },
    },
    current_workload: 0,
    disk_available_least: free.diskGb,
    free_disk_gb: free.diskGb,
    free_ram_mb: free.ramMb,
    local_gb: capacity.diskGb,
    local_gb_used: capacity.diskGb - free.diskGb,
    memory_mb: capacity.ramMb,
    memory_mb_used: capacity.ramMb - free.ramMb,
    running_vms: instances.length,
    vcpus: capacity.vcpus,
    vcpus_used: capacity.vcpus - free.vcpus,
  };
}

function withServersOf(request: NovaRequest): boolean {
  const text = request.query.get('with_servers');
  return (
    request.microversion >= 53 && text !== null && parseBody(novaBoolean, 'with_servers', text)
  );
}

function list(isDetailed: boolean): NovaHandler {
  return (deps, request) => {
    const { query } = request;
    const pattern = request.microversion >= 53 ? query.get('hypervisor_hostname_pattern') : null;
    const withServers = withServersOf(request);
    const hosts = [...deps.world.hosts.values()];
    const view = (h: Host): Record<string, unknown> =>
      hypervisorView(deps, h, request, isDetailed, withServers);
    if (pattern !== null) {
      if (query.has('limit') || query.has('marker')) {
        throw badRequest(
          'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.',
        );
      }
      const matching = hosts.filter((h) => h.name.includes(pattern));
      if (matching.length === 0)
        throw notFound(`No hypervisor matching '${pattern}' could be found.`);
      return { status: 200, body: { hypervisors: matching.map(view) } };
    }
    const page = paginate(hosts, query, {
      markerOf: (h) => (request.microversion >= 53 ? h.hypervisorUuid : String(h.hypervisorId)),
      collectionUrl: `${request.linkBase}/os-hypervisors${isDetailed ? '/detail' : ''}`,
      markerNotFound: (m) => `Marker ${m} could not be found.`,
    });
    return {
      status: 200,
      body: {
        hypervisors: page.items.map(view),
        ...(page.links === undefined ? {} : { hypervisors_links: page.links }),
      },
    };
  };
}

export const listHypervisors = list(false);
export const listHypervisorsDetail = list(true);

export const showHypervisor: NovaHandler = (deps, request) => {
  const id = request.params.id ?? '';
  const host = [...deps.world.hosts.values()].find(
    (h) => (request.microversion >= 53 ? h.hypervisorUuid : String(h.hypervisorId)) === id,
  );
  if (host === undefined) throw notFound(`Hypervisor with ID ${id} could not be found.`);
  return {
    status: 200,
    body: { hypervisor: hypervisorView(deps, host, request, true, withServersOf(request)) },
  };
};
