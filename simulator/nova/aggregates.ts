// GET /os-aggregates[/{id}] and POST /os-aggregates/{id}/action add_host / remove_host
// (docs/nova-and-bmc-facts.md#other-nova-calls).
import { z } from 'zod';
import type { Aggregate } from '../world/model.ts';
import type { NovaDeps, NovaHandler, NovaRequest } from './context.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { isoMicros } from '../timestamps.ts';
import { actionOf, parseBody } from './validation.ts';

function aggregateView(aggregate: Aggregate, mv: number): Record<string, unknown> {
  return {
    availability_zone: aggregate.availabilityZone,
    created_at: isoMicros(aggregate.createdAt),
    deleted: false,
    deleted_at: null,
    hosts: aggregate.hosts,
    id: aggregate.id,
    metadata: aggregate.metadata,
    name: aggregate.name,
    updated_at: isoMicros(aggregate.updatedAt),
    ...(mv >= 41 ? { uuid: aggregate.uuid } : {}),
  };
}

function findAggregate(deps: NovaDeps, request: NovaRequest): Aggregate {
  const id = request.params.id ?? '';
  const aggregate = deps.world.aggregates.find((a) => String(a.id) === id);
  if (aggregate === undefined) throw notFound(`Aggregate ${id} could not be found.`);
  return aggregate;
}

export const listAggregates: NovaHandler = (deps, request) => ({
  status: 200,
  body: { aggregates: deps.world.aggregates.map((a) => aggregateView(a, request.microversion)) },
});

export const showAggregate: NovaHandler = (deps, request) => ({
  status: 200,
  body: { aggregate: aggregateView(findAggregate(deps, request), request.microversion) },
});

const hostAction = z.object({ host: z.string().min(1).max(255) }).strict();

export const aggregateAction: NovaHandler = (deps, request) => {
  const aggregate = findAggregate(deps, request);
  const [name, args] = actionOf(request.body);
  if (name !== 'add_host' && name !== 'remove_host')
    throw badRequest(`Invalid request body: unknown aggregate action ${name}`);
  const { host } = parseBody(hostAction, name, args);
  if (!deps.world.hosts.has(host)) throw notFound(`Compute host ${host} could not be found.`);
  const isMember = aggregate.hosts.includes(host);
  if (name === 'add_host') {
    if (isMember) throw conflict(`Aggregate ${aggregate.id} already has host ${host}.`);
    aggregate.hosts.push(host);
  } else {
    if (!isMember) throw notFound(`Cannot remove host ${host} in aggregate ${aggregate.id}`);
    aggregate.hosts.splice(aggregate.hosts.indexOf(host), 1);
  }
  aggregate.updatedAt = deps.world.stamp();
  return { status: 200, body: { aggregate: aggregateView(aggregate, request.microversion) } };
};
