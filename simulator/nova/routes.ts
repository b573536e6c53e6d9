// The Nova endpoints the simulator serves, relative to /v2.1[/{project_id}].
import { aggregateAction, listAggregates, showAggregate } from './aggregates.ts';
import type { NovaRoute } from './context.ts';
import { listHypervisors, listHypervisorsDetail, showHypervisor } from './hypervisors.ts';
import { listInstanceActions, showInstanceAction } from './instance-actions.ts';
import { listMigrations } from './migrations.ts';
import { actionPolicy, serverAction } from './server-actions.ts';
import { listServers, listServersDetail, showServer } from './servers.ts';
import { listServices, updateService } from './services.ts';

const rule = (name: string): string => `os_compute_api:${name}`;

// Literal segments come before captures: servers/detail must not be read as a server id.
export const novaRoutes: readonly NovaRoute[] = [
  { method: 'GET', pattern: 'os-services', policy: rule('os-services:list'), handle: listServices },
  {
    method: 'PUT',
    pattern: 'os-services/{id}',
    policy: rule('os-services:update'),
    handle: updateService,
  },
  { method: 'GET', pattern: 'servers', policy: rule('servers:index'), handle: listServers },
  {
    method: 'GET',
    pattern: 'servers/detail',
    policy: rule('servers:detail'),
    handle: listServersDetail,
  },
  { method: 'GET', pattern: 'servers/{id}', policy: rule('servers:show'), handle: showServer },
  { method: 'POST', pattern: 'servers/{id}/action', policy: actionPolicy, handle: serverAction },
  {
    method: 'GET',
    pattern: 'servers/{id}/os-instance-actions',
    policy: rule('os-instance-actions:list'),
    handle: listInstanceActions,
  },
  {
    method: 'GET',
    pattern: 'servers/{id}/os-instance-actions/{requestId}',
    policy: rule('os-instance-actions:show'),
    handle: showInstanceAction,
  },
  {
    method: 'GET',
    pattern: 'os-migrations',
    policy: rule('os-migrations:index'),
    handle: listMigrations,
  },
  {
    method: 'GET',
    pattern: 'os-hypervisors',
    policy: rule('os-hypervisors:list'),
    handle: listHypervisors,
  },
  {
    method: 'GET',
    pattern: 'os-hypervisors/detail',
    policy: rule('os-hypervisors:list-detail'),
    handle: listHypervisorsDetail,
  },
  {
    method: 'GET',
    pattern: 'os-hypervisors/{id}',
    policy: rule('os-hypervisors:show'),
    handle: showHypervisor,
  },
  {
    method: 'GET',
    pattern: 'os-aggregates',
    policy: rule('os-aggregates:index'),
    handle: listAggregates,
  },
  {
    method: 'GET',
    pattern: 'os-aggregates/{id}',
    policy: rule('os-aggregates:show'),
    handle: showAggregate,
  },
  {
    method: 'POST',
    pattern: 'os-aggregates/{id}/action',
    policy: rule('os-aggregates:add_host'),
    handle: aggregateAction,
  },
];
