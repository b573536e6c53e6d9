// POST /servers/{id}/action: evacuate, os-start, os-stop, lock, unlock, os-resetState.
import { z } from 'zod';
import type { Reply } from '../http/server.ts';
import type { Instance } from '../world/model.ts';
import type { NovaDeps, NovaHandler, NovaRequest } from './context.ts';
import { conflict, notFound } from './errors.ts';
import { evacuate } from './evacuate.ts';
import { findInstance } from './servers.ts';
import { actionOf, parseBody } from './validation.ts';

type Action = (deps: NovaDeps, request: NovaRequest, instance: Instance, body: unknown) => Reply;

/** check_instance_state (compute/api.py): the allowed vm_states, and task_state must be None. */
function requireState(instance: Instance, action: string, vmStates: readonly string[]): void {
  if (!vmStates.includes(instance.vmState)) {
    throw conflict(
      `Cannot '${action}' instance ${instance.uuid} while it is in vm_state ${instance.vmState}`,
    );
  }
  if (instance.taskState !== null) {
    throw conflict(
      `Cannot '${action}' instance ${instance.uuid} while it is in task_state ${instance.taskState}`,
    );
  }
}

const powerAction =
  (action: 'start' | 'stop', vmStates: readonly string[]): Action =>
  (deps, request, instance) => {
    requireState(instance, action, vmStates);
    deps.world.requestPowerAction(instance, action, request.requestId, request.token.user.id);
    return { status: 202 };
  };

const lockSchema = z.union([
  z.null(),
  z.object({ locked_reason: z.string().max(255).optional() }).strict(),
]);
const resetStateSchema = z.object({ state: z.enum(['active', 'error']) }).strict();

const actions: Readonly<Record<string, Action>> = {
  evacuate,
  'os-start': powerAction('start', ['stopped']),
  'os-stop': powerAction('stop', ['active', 'error']),
  lock: (deps, request, instance, body) => {
    // locked_reason arrived in 2.73; before it the body is {"lock": null}.
    const args = parseBody(
      request.microversion >= 73 ? lockSchema : z.null(),
      'lock',
      body ?? null,
    );
    instance.isLocked = true;
    instance.lockedReason = args?.locked_reason ?? null;
    deps.world.recordAdminAction(instance, 'lock', request.requestId, request.token.user.id);
    return { status: 202 };
  },
  unlock: (deps, request, instance) => {
    instance.isLocked = false;
    instance.lockedReason = null;
    deps.world.recordAdminAction(instance, 'unlock', request.requestId, request.token.user.id);
    return { status: 202 };
  },
  'os-resetState': (deps, request, instance, body) => {
    const { state } = parseBody(resetStateSchema, 'os-resetState', body);
    instance.vmState = state;
    instance.taskState = null;
    deps.world.recordAdminAction(instance, 'reset_state', request.requestId, request.token.user.id);
    return { status: 202 };
  },
};

const actionPolicies: Readonly<Record<string, string>> = {
  evacuate: 'os_compute_api:os-evacuate',
  'os-start': 'os_compute_api:servers:start',
  'os-stop': 'os_compute_api:servers:stop',
  lock: 'os_compute_api:os-lock-server:lock',
  unlock: 'os_compute_api:os-lock-server:unlock',
  'os-resetState': 'os_compute_api:os-admin-actions:reset_state',
};

export function actionPolicy(body: unknown): string {
  const name = typeof body === 'object' && body !== null ? (Object.keys(body)[0] ?? '') : '';
  return actionPolicies[name] ?? 'os_compute_api:servers';
}

export const serverAction: NovaHandler = (deps, request) => {
  const [name, args] = actionOf(request.body);
  const action = actions[name];
  if (action === undefined) throw notFound(`There is no such action: ${name}`);
  const instance = findInstance(deps, request.params.id ?? '');
  return action(deps, request, instance, args);
};
