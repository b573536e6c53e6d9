// RE-ENACTMENT of Masakari's host-failure recovery ("auto" recovery method) from its documented
// defaults, for comparison only: not Masakari's code. Sources: masakari/conf/engine.py
// (wait_period_after_service_update = 180 s, wait_period_after_evacuation = 90 s,
// verify_interval = 1 s, wait_period_after_power_off = 180 s, host_failure_recovery_threads = 3) and
// the tasks of masakari/engine/drivers/taskflow/host_failure.py (openstack/masakari, 2026).
//
// Masakari does not fence: masakari-hostmonitor notifies once the host's Pacemaker cluster has
// fenced it, so the re-enactment fences first as a fence agent would, then runs the flow:
// disable the compute service (no force-down), sleep 180 s "until nova recognizes the node down",
// list the host's servers, then 3 threads each lock, evacuate and poll the server every second
// (up to 90 s) until it shows on another host in its former state, then unlock; an instance that
// was in error is stopped after landing (polled every second) and reset to error, as Masakari does.
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import type { HostRecovery, ProcedureContext, ServerRecord } from './procedure.ts';
import { computeServiceOf, evacuate, fenceLikeFenceAgent, serversOn } from './procedure.ts';

const WAIT_PERIOD_AFTER_SERVICE_UPDATE_MS = 180_000;
const WAIT_PERIOD_AFTER_EVACUATION_MS = 90_000;
const WAIT_PERIOD_AFTER_POWER_OFF_MS = 180_000;
const VERIFY_INTERVAL_MS = 1_000;
const HOST_FAILURE_RECOVERY_THREADS = 3;
/** The microversion Masakari's Nova client speaks for service updates by id. */
export const MASAKARI_MICROVERSION = '2.53';

export async function recoverLikeMasakari(
  context: ProcedureContext,
  host: string,
): Promise<HostRecovery> {
  const { nova } = context;
  const fencingProofAt = await fenceLikeFenceAgent(context, host);
  const service = await computeServiceOf(nova, host);
  await nova.call('PUT', `/os-services/${service.id}`, {
    status: 'disabled',
    disabled_reason: 'Masakari detected host failed.',
  });
  await context.sleep(WAIT_PERIOD_AFTER_SERVICE_UPDATE_MS);
  const servers = await serversOn(nova, host);
  const outcomes = await mapWithConcurrency(
    servers,
    HOST_FAILURE_RECOVERY_THREADS,
    async (listed) => {
      try {
        await evacuateAndConfirm(
          context,
          host,
          await nova
            .call<{ server: ServerRecord }>('GET', `/servers/${listed.id}`)
            .then((r) => r.server),
        );
        return true;
      } catch {
        return false;
      }
    },
  );
  return {
    fencingProofAt,
    endedAt: Date.now(),
    failedInstances: outcomes.filter((isDone) => !isDone).length,
  };
}

async function evacuateAndConfirm(
  context: ProcedureContext,
  host: string,
  instance: ServerRecord,
): Promise<void> {
  const { nova } = context;
  const server = (id: string): Promise<ServerRecord> =>
    nova.call<{ server: ServerRecord }>('GET', `/servers/${id}`).then((r) => r.server);
  const isAlreadyLocked = (await server(instance.id)).locked;
  if (!isAlreadyLocked) await nova.call('POST', `/servers/${instance.id}/action`, { lock: null });
  try {
    const before = instance['OS-EXT-STS:vm_state'];
    await evacuate(nova, instance.id);
    await pollEverySecond(context, WAIT_PERIOD_AFTER_EVACUATION_MS, async () => {
      const now = await server(instance.id);
      const after = now['OS-EXT-STS:vm_state'];
      if (after === 'error' && after !== before)
        throw new Error(`evacuation of ${instance.id} failed`);
      return (
        now['OS-EXT-SRV-ATTR:hypervisor_hostname'] !== host &&
        ((before === 'error' && after === 'active') || before === after)
      );
    });
    if (before === 'error') {
      await nova.call('POST', `/servers/${instance.id}/action`, { 'os-stop': null });
      await pollEverySecond(
        context,
        WAIT_PERIOD_AFTER_POWER_OFF_MS,
        async () => (await server(instance.id))['OS-EXT-STS:vm_state'] === 'stopped',
      );
      await nova.call('POST', `/servers/${instance.id}/action`, {
        'os-resetState': { state: 'error' },
      });
    }
  } finally {
    if (!isAlreadyLocked)
      await nova.call('POST', `/servers/${instance.id}/action`, { unlock: null });
  }
}

/**
 * oslo's FixedIntervalLoopingCall under a timeout: the check right away, then one every
 * verify_interval from the start of the previous one (the time a check takes is not added).
 */
async function pollEverySecond(
  context: ProcedureContext,
  timeoutMs: number,
  isDone: () => Promise<boolean>,
): Promise<void> {
  const startedAt = context.now();
  for (
    let next = startedAt + VERIFY_INTERVAL_MS;
    next - startedAt <= timeoutMs;
    next += VERIFY_INTERVAL_MS
  ) {
    if (await isDone()) return;
    await context.sleep(Math.max(0, next - context.now()));
  }
  throw new Error(`not confirmed within ${timeoutMs / 1000} s`);
}
