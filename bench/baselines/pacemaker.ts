// RE-ENACTMENT of Pacemaker's instance HA for OpenStack (fence_compute + NovaEvacuate) from the
// documented defaults, for comparison only: not ClusterLabs' code. Sources: fence-agents
// agents/compute/fence_compute.py and agents/evacuate/fence_evacuate.py (ClusterLabs, 2026), and
// the NovaEvacuate resource agent (openstack-resource-agents ocf/NovaEvacuate: monitor interval 10 s).
//
// The cluster fences the host (level 1, fence_redfish), then fence_compute (level 2) reads the
// services, forces the compute down, disables it and flags the host "evacuate=yes" in attrd. The
// NovaEvacuate monitor, every 10 s, finds the flag, lists the services, lists the host's servers and
// calls evacuate on each, one after the other, without waiting for any to land and without
// verifying. Every instance counts as evacuable, as when no flavor or image carries the tag.
import type { HostRecovery, ProcedureContext } from './procedure.ts';
import { computeServiceOf, evacuate, fenceLikeFenceAgent, serversOn } from './procedure.ts';

const NOVA_EVACUATE_MONITOR_INTERVAL_MS = 10_000;
/** force_down by service id needs 2.53 ("Until 2.53" in fence_compute refers to the legacy form). */
export const PACEMAKER_MICROVERSION = '2.53';

/** The monitor's ticks fall every 10 s (the cloud's time) from the failure report, at `reportedAtCloudMs`. */
export async function recoverLikePacemaker(
  context: ProcedureContext,
  host: string,
  reportedAtCloudMs: number,
): Promise<HostRecovery> {
  const { nova } = context;
  const fencingProofAt = await fenceLikeFenceAgent(context, host);
  const service = await computeServiceOf(nova, host);
  await nova.call('PUT', `/os-services/${service.id}`, { forced_down: true });
  await nova.call('PUT', `/os-services/${service.id}`, { status: 'disabled' });
  const sinceReportMs = context.now() - reportedAtCloudMs;
  await context.sleep(
    NOVA_EVACUATE_MONITOR_INTERVAL_MS - (sinceReportMs % NOVA_EVACUATE_MONITOR_INTERVAL_MS),
  );
  await nova.call('GET', '/os-services?binary=nova-compute');
  let failedInstances = 0;
  for (const server of await serversOn(nova, host)) {
    try {
      await evacuate(nova, server.id);
    } catch {
      failedInstances += 1;
    }
  }
  return { fencingProofAt, endedAt: Date.now(), failedInstances };
}
