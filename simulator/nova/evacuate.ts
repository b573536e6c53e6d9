// POST /servers/{id}/action {"evacuate": …}: the API side of nova/api/openstack/compute/
// evacuate.py and compute.API.evacuate (docs/nova-and-bmc-facts.md#evacuate-by-microversion,
// docs/nova-and-bmc-facts.md#evacuate-errors,
// docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate).
import { z } from 'zod';
import type { Reply } from '../http/server.ts';
import type { Instance } from '../world/model.ts';
import type { NovaDeps, NovaRequest } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { formatMicroversion } from './microversion.ts';
import { novaBoolean, parseBody } from './validation.ts';

const host = z.string().min(1).max(255);
const adminPass = z.string();

// schemas/evacuate.py, one schema per microversion range.
const evacuateV21 = z
  .object({ host: host.optional(), onSharedStorage: novaBoolean, adminPass: adminPass.optional() })
  .strict();
const evacuateV214 = z.object({ host: host.optional(), adminPass: adminPass.optional() }).strict();
const evacuateV229 = evacuateV214.extend({ force: novaBoolean.optional() }).strict();

interface EvacuateArguments {
  host?: string | undefined;
  adminPass?: string | undefined;
  onSharedStorage?: boolean;
  force?: boolean | undefined;
}

function parseArguments(microversion: number, body: unknown): EvacuateArguments {
  if (microversion < 14) return parseBody(evacuateV21, 'evacuate', body);
  if (microversion >= 29 && microversion < 68) return parseBody(evacuateV229, 'evacuate', body);
  return parseBody(evacuateV214, 'evacuate', body);
}

export function evacuate(
  deps: NovaDeps,
  request: NovaRequest,
  instance: Instance,
  body: unknown,
): Reply {
  const { world } = deps;
  const mv = request.microversion;
  const args = parseArguments(mv, body);
  const target = args.host ?? null;
  if (target !== null && !world.hosts.has(target))
    throw notFound(`Compute host ${target} not found.`);
  if (mv < 14 && args.onSharedStorage === true && args.adminPass !== undefined) {
    throw badRequest("admin password can't be changed on existing disk");
  }
  if (args.force === true && target === null)
    throw badRequest("Can't force to a non-provided destination");
  if (target !== null && target === instance.host)
    throw badRequest("The target host can't be the same one.");
  // compute.API.evacuate checks vm_state (active, stopped, error: all the simulator has) but,
  // with task_state=None, not the task state: a second evacuate is accepted
  // (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate).
  const source = world.hosts.get(instance.host ?? '');
  if (source !== undefined && world.isServiceUp(source.service)) {
    throw badRequest(`Compute service of ${source.name} is still in use.`);
  }
  world.acceptEvacuation({
    instance,
    targetHost: target,
    isForced: args.force === true,
    isStopAtDestination: mv >= 95,
    requestId: request.requestId,
    userId: request.token.user.id,
    microversion: formatMicroversion(mv),
  });
  if (mv < 14 && deps.isInstancePasswordEnabled) {
    return { status: 200, body: { adminPass: args.adminPass ?? deps.random.hex(6) } };
  }
  return { status: 200 };
}
