// The pure half of `lazarus drill`: for one compute host, what an incident would do if it failed
// now (which instances it would evacuate and in what order, which it would skip and why, whether
// the other hosts have room, how long it would take), and every reason it could not recover it.
import type { PowerState } from '../../activities/fencing/index.ts';
import { describeBmc } from '../../activities/fencing/index.ts';
import { instanceOnHost } from '../../activities/incident/instances-on-host.ts';
import type { Instance } from '../../activities/openstack/index.ts';
import type { CapacityCheck, Resources } from '../../domain/capacity.ts';
import { checkCapacity, demandOf, describeCapacity, NO_RESOURCES } from '../../domain/capacity.ts';
import type { EvacuationPolicy, SkippedInstance } from '../../domain/evacuation-policy.ts';
import { planEvacuation, policyKeys } from '../../domain/evacuation-policy.ts';
import type { RecoveryEstimate } from '../../domain/recovery-estimate.ts';
import { BENCH_FIGURES, estimateRecovery } from '../../domain/recovery-estimate.ts';
import type { ComputeHost, RecoveryMethod } from '../../domain/recovery-method.ts';
import type { HostRow } from '../preflight/host-checks.ts';

export interface DrilledInstance {
  instanceId: string;
  name: string;
  status: string;
  priority: number;
  /** What the scheduler would claim for it on its destination. */
  needs: Resources;
}

export interface HostDrill {
  host: string;
  /** How Nova sees its nova-compute ("enabled, up"), or null when Nova runs none there. */
  novaCompute: string | null;
  /** The BMC as protocol and address, never its credentials. */
  bmc: string | null;
  /** Read from the BMC; null when there is no entry or the read failed. */
  power: PowerState | null;
  /** Which method would place the instances, and how, for people. */
  recoveryMethod: Pick<RecoveryMethod, 'name' | 'description'>;
  /** In evacuation order. */
  evacuate: DrilledInstance[];
  skip: SkippedInstance[];
  capacity: CapacityCheck;
  estimate: RecoveryEstimate;
  /** Why an incident could not recover the host today; empty when it could. */
  reasons: string[];
}

export function drillHost(
  row: HostRow,
  instances: readonly Instance[],
  computeHosts: readonly ComputeHost[],
  policy: EvacuationPolicy,
  method: RecoveryMethod,
): HostDrill {
  const keys = policyKeys(policy);
  const plan = planEvacuation(
    instances.map((instance) => instanceOnHost(instance, keys)),
    policy,
  );
  const byId = new Map(instances.map((instance) => [instance.id, instance]));
  const evacuate = plan.evacuate.map((planned): DrilledInstance => {
    const instance = byId.get(planned.instanceId);
    return {
      instanceId: planned.instanceId,
      name: planned.name,
      status: planned.statusBefore,
      priority: planned.priority,
      needs:
        instance === undefined
          ? NO_RESOURCES
          : demandOf(instance.flavorSize, instance.isBootFromVolume),
    };
  });
  const capacity = checkCapacity(
    evacuate.map(({ instanceId, needs }) => ({ instanceId, needs })),
    method.destinations(row.host, computeHosts),
  );
  return {
    host: row.host,
    novaCompute: row.novaCompute,
    bmc: row.bmc === undefined ? null : describeBmc(row.bmc),
    power: row.power,
    recoveryMethod: { name: method.name, description: method.description },
    evacuate,
    skip: plan.skip,
    capacity,
    estimate: estimateRecovery(evacuate.length, BENCH_FIGURES),
    reasons: [
      ...row.problems,
      ...(capacity.doesSuffice ? [] : [`capacity ${describeCapacity(capacity)}`]),
    ],
  };
}

/** A row for a host that neither Nova nor the BMC inventory knows, so the drill can say so. */
export function unknownHostRow(host: string): HostRow {
  return {
    host,
    novaCompute: null,
    isComputeUp: false,
    bmc: undefined,
    power: null,
    problems: [
      `Nova runs no nova-compute service on ${host}; check the name (openstack compute service list --service nova-compute lists Nova's hosts)`,
    ],
  };
}
