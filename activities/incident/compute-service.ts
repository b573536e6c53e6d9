// The failed host's nova-compute service through the incident: forced down once fencing is proven,
// then, at re-admission, checked for a live compute, un-forced and enabled again
// (docs/nova-and-bmc-facts.md#compute-services).
import { LazarusError } from '../errors.ts';
import type { FencingProof } from '../fencing/index.ts';
import type { KnownComputeService, NovaClient } from '../openstack/index.ts';
import type { HostFailure } from '../../domain/host-failure.ts';
import { failureNamedIn, forcedDownReason } from '../../domain/host-failure.ts';
import type { Clock } from './incident-dependencies.ts';

export interface ForcedDown {
  host: string;
  serviceId: string;
  disabledReason: string;
  /** The x-openstack-request-id of the PUT, for Nova's logs; null when no PUT was needed. */
  requestId: string | null;
  /**
   * The failure the host is down for: this incident's, or that of an earlier incident that forced
   * it down and was never re-admitted (docs/design.md#one-failure-many-incidents). Its id and start
   * name the evacuations and their window of Nova's records.
   */
  failure: HostFailure;
}

/** An operator's recorded word that the host is off, standing in for a BMC read-back (docs/design.md#fence). */
export interface ManualFencing {
  host: string;
  /** Who confirmed; why is in the incident's history, not in Nova. */
  confirmedBy: string;
  confirmedAt: string;
}

export interface ServiceUpdated {
  host: string;
  serviceId: string;
  requestId: string | null;
}

export interface ComputeServiceHealth {
  host: string;
  /** Whether nova-compute on the host is alive and reporting to Nova. */
  isUp: boolean;
  /** How that was decided, for the operator. */
  evidence: string;
  isForcedDown: boolean;
  status: 'enabled' | 'disabled';
}

/** The host's one nova-compute service, as Nova knows it now. */
export async function computeServiceOn(
  nova: NovaClient,
  host: string,
): Promise<KnownComputeService> {
  const services = await nova.listComputeServices(host);
  const [service] = services;
  if (service === undefined) {
    throw new LazarusError(
      'NotFound',
      `Nova has no nova-compute service on host ${host}; check the host name against "openstack compute service list --service nova-compute"`,
      { host },
    );
  }
  if (service.status === 'UNKNOWN') {
    throw new LazarusError(
      'CloudUnavailable',
      `Nova cannot reach the cell of host ${host}, so its nova-compute service is unknown (microversion 2.69+); check the cell's database and message queue, then retry`,
      { host },
    );
  }
  return service;
}

/**
 * One PUT disables the service with a reason naming the incident and forces it down
 * (docs/nova-and-bmc-facts.md#updating-a-service). Sent together, Nova skips the RPC to the dead
 * compute that a disable on its own waits 60 s for
 * (docs/nova-and-bmc-facts.md#the-60-second-disable-trap). Its answer confirms Nova computes it
 * down: forced_down makes it down at once (docs/nova-and-bmc-facts.md#how-down-is-computed), so
 * there is nothing to wait for and no sleep.
 *
 * A host still forced down by an earlier incident of Lazarus (terminated before re-admission) is
 * in the same failure: no PUT, and that incident's failure is returned, so this incident's
 * evacuations meet the earlier one's (docs/design.md#one-failure-many-incidents).
 */
export async function forceDown(
  nova: NovaClient,
  host: string,
  incident: HostFailure,
  fencing: FencingProof | ManualFencing,
): Promise<ForcedDown> {
  if (fencing.host !== host) {
    // Only this host's own read-back Off (or its operator's confirmation) may force it down
    // (docs/design.md#i4-force-down-after-fence).
    throw new LazarusError(
      'FencingUnproven',
      `refusing to force down host ${host} with the fencing of host ${fencing.host}; fence ${host} itself first`,
      { host, proofHost: fencing.host },
    );
  }
  const service = await computeServiceOn(nova, host);
  const earlier = failureNamedIn(service.disabledReason, host);
  if (
    earlier !== undefined &&
    service.isForcedDown &&
    service.status === 'disabled' &&
    service.state === 'down'
  ) {
    return {
      host,
      serviceId: service.id,
      disabledReason: service.disabledReason ?? '',
      requestId: null,
      failure: earlier,
    };
  }
  const disabledReason = forcedDownReason(
    incident,
    'confirmedBy' in fencing
      ? `fenced manually, confirmed by ${fencing.confirmedBy} at ${fencing.confirmedAt}`
      : `fenced via ${fencing.protocol} at ${fencing.readAt}`,
  );
  // Nova answers with the whole record, its state computed as a listing would (forced_down makes
  // it down at once), so the answer is the confirmation: no second read.
  const { requestId, service: after } = await nova.forceDownComputeService(
    service.id,
    disabledReason,
  );
  if (after.state !== 'down' || !after.isForcedDown) {
    throw new LazarusError(
      'UnexpectedResponse',
      `Nova accepted forced_down for the nova-compute service of host ${host} (request ${requestId ?? 'without id'}) but then reported it ${after.state}, forced_down ${String(after.isForcedDown)}; Nova counts a forced-down service as down, so check its API and database before evacuating`,
      {
        host,
        serviceId: service.id,
        requestId,
        state: after.state,
        isForcedDown: after.isForcedDown,
      },
    );
  }
  return { host, serviceId: service.id, disabledReason, requestId, failure: incident };
}

/**
 * Whether the host's nova-compute runs again. Without forced_down Nova's own `state` says so. With
 * it, Nova reports down whatever the compute does
 * (docs/nova-and-bmc-facts.md#how-down-is-computed), but a live compute still saves its service
 * record every report_interval (nova/servicegroup/drivers/db.py _report_state), so two reads
 * further apart than that interval show updated_at moving. An admin PUT also bumps updated_at
 * (docs/nova-and-bmc-facts.md#listing-services); none of Lazarus's falls between the two reads.
 */
export async function checkHealth(
  nova: NovaClient,
  host: string,
  clock: Clock,
  reportIntervalMs: number,
): Promise<ComputeServiceHealth> {
  const first = await computeServiceOn(nova, host);
  const health = { host, isForcedDown: first.isForcedDown, status: first.status };
  if (!first.isForcedDown)
    return {
      ...health,
      isUp: first.state === 'up',
      evidence: `Nova reports its nova-compute service ${first.state}`,
    };
  // Half an interval more than one, so a report falls between the reads even when it runs late.
  const gapMs = reportIntervalMs * 1.5;
  await clock.sleep(gapMs);
  const second = await computeServiceOn(nova, host);
  const isUp =
    second.updatedAt !== null &&
    (first.updatedAt === null || Date.parse(second.updatedAt) > Date.parse(first.updatedAt));
  return {
    ...health,
    isUp,
    evidence: isUp
      ? `its forced-down nova-compute service record was updated again (${second.updatedAt ?? ''}), so the compute is reporting`
      : `its forced-down nova-compute service record was not updated in ${gapMs} ms (last ${first.updatedAt ?? 'never'}); start nova-compute on ${host} first`,
  };
}

/**
 * One re-admission change to the host's service: clear forced_down (refused with the retryable
 * EvacuationsNotCompleted until the restarted compute completed its evacuations,
 * docs/nova-and-bmc-facts.md#un-forcing-after-evacuation), or enable it again.
 */
export async function changeService(
  nova: NovaClient,
  host: string,
  change: 'unforceComputeService' | 'enableComputeService',
): Promise<ServiceUpdated> {
  const service = await computeServiceOn(nova, host);
  const { requestId } = await nova[change](service.id);
  return { host, serviceId: service.id, requestId };
}
