// GET /servers/{id}/os-instance-actions[/{request_id}] (request_id is the x-openstack-request-id of
// the request that started the action: docs/nova-and-bmc-facts.md#instance-actions).
import type { InstanceAction, InstanceActionEvent } from '../world/model.ts';
import type { NovaHandler } from './context.ts';
import { notFound } from './errors.ts';
import { paginate } from './paging.ts';
import { hostIdOf } from './server-view.ts';
import { findInstance } from './servers.ts';
import { isoMicros } from '../timestamps.ts';
import { changesWindow, isWithin } from './validation.ts';

function actionView(action: InstanceAction, mv: number): Record<string, unknown> {
  return {
    action: action.action,
    instance_uuid: action.instanceUuid,
    message: action.message,
    project_id: action.projectId,
    request_id: action.requestId,
    start_time: isoMicros(action.startTime),
    user_id: action.userId,
    ...(mv >= 58 ? { updated_at: isoMicros(action.updatedAt) } : {}),
  };
}

function eventView(
  event: InstanceActionEvent,
  projectId: string,
  mv: number,
): Record<string, unknown> {
  return {
    event: event.event,
    start_time: isoMicros(event.startTime),
    finish_time: event.finishTime === null ? null : isoMicros(event.finishTime),
    result: event.result,
    traceback: event.traceback,
    ...(mv >= 62 ? { host: event.host, hostId: hostIdOf(projectId, event.host) } : {}),
    ...(mv >= 84 ? { details: null } : {}),
  };
}

export const listInstanceActions: NovaHandler = (deps, request) => {
  const instance = findInstance(deps, request.params.id ?? '');
  const mv = request.microversion;
  const window = mv >= 58 ? changesWindow(request.query, mv >= 66) : { since: null, before: null };
  const newestFirst = [...deps.world.actionsOf(instance.uuid)]
    .reverse()
    .filter((a) => isWithin(window, a.updatedAt));
  if (mv < 58)
    return { status: 200, body: { instanceActions: newestFirst.map((a) => actionView(a, mv)) } };
  const page = paginate(newestFirst, request.query, {
    markerOf: (a) => a.requestId,
    collectionUrl: `${request.linkBase}/servers/${instance.uuid}/os-instance-actions`,
    markerNotFound: (m) => `Marker ${m} could not be found.`,
  });
  return {
    status: 200,
    body: {
      instanceActions: page.items.map((a) => actionView(a, mv)),
      ...(page.links === undefined ? {} : { links: page.links }),
    },
  };
};

export const showInstanceAction: NovaHandler = (deps, request) => {
  const instance = findInstance(deps, request.params.id ?? '');
  const requestId = request.params.requestId ?? '';
  const action = deps.world.actionsOf(instance.uuid).find((a) => a.requestId === requestId);
  if (action === undefined)
    throw notFound(`Action for request_id ${requestId} on instance ${instance.uuid} not found`);
  const mv = request.microversion;
  return {
    status: 200,
    body: {
      instanceAction: {
        ...actionView(action, mv),
        events: action.events.map((e) => eventView(e, instance.projectId, mv)),
      },
    },
  };
};
