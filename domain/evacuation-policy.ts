// Which instances of a failed host Lazarus evacuates, in what order, and why it leaves the others.
// Pure: the incident workflow calls it on what Nova listed, so every decision is in history and
// every instance ends up either planned or skipped with a reason
// (docs/design.md#i3-nothing-silently-lost).

/** What the policy needs to know about an instance (a subset of Nova's server detail). */
export interface InstanceFacts {
  id: string;
  name: string;
  /** Nova's status: ACTIVE, SHUTOFF, ERROR, PAUSED, … */
  status: string;
  isLocked: boolean;
  metadata: Readonly<Record<string, string>>;
  /** The embedded flavor's extra_specs (microversion 2.47+). */
  flavorExtraSpecs: Readonly<Record<string, string>>;
  /** The image's properties when known; boot-from-volume instances have none. */
  imageProperties: Readonly<Record<string, string>>;
  /** True when the root disk is a Cinder volume (Nova reports `image: ""`). */
  isBootFromVolume: boolean;
}

export type InstanceHandling = 'evacuate' | 'skip';

export interface EvacuationPolicy {
  /** `all`: every instance of the host; `tagged`: only those marked by one of `protectionKeys`. */
  protect: 'all' | 'tagged';
  /** Keys looked up in metadata, flavor extra specs and image properties, in that order. */
  protectionKeys: readonly string[];
  /** Metadata key holding an integer priority; higher evacuates first (default 0). */
  priorityKey: string;
  stopped: InstanceHandling;
  errored: InstanceHandling;
  locked: InstanceHandling;
  /**
   * Image-backed instances whose disk is local to the failed host: Nova can only rebuild them from
   * their image on the destination, losing what was written to the root disk. `evacuate` accepts
   * that (for example when instance storage is shared, where Nova keeps the disk).
   */
  imageBackedOnLocalDisk: InstanceHandling;
  /**
   * From Nova 2.95 an evacuated instance lands stopped; true starts the ones that ran before the
   * failure again (absent, as in incidents started before this setting existed, means true).
   */
  shouldRestartRunningInstances?: boolean;
}

/**
 * Masakari marks protected instances with metadata `HA_Enabled=True`; Pacemaker's fence_compute
 * with `evacuable=true` in flavor extra specs or image properties. Both are accepted.
 */
export const DEFAULT_EVACUATION_POLICY: EvacuationPolicy = {
  protect: 'tagged',
  protectionKeys: ['HA_Enabled', 'evacuable'],
  priorityKey: 'lazarus:priority',
  stopped: 'evacuate',
  errored: 'evacuate',
  locked: 'evacuate',
  imageBackedOnLocalDisk: 'skip',
  shouldRestartRunningInstances: true,
};

/**
 * Evacuations of one host being requested at once: each holds its turn from its start until Nova
 * answers its evacuate, 0.6 to 0.8 s against the simulator in real time (docs/design.md#recovery-speed).
 * The global evacuate rate (5 a second by default) is what paces them: one host needs at least
 * 5 × 0.8 = 4 turns to keep it busy, and 10 leave room for a slower nova-api.
 */
export const DEFAULT_EVACUATION_CONCURRENCY = 10;
/**
 * Evacuations of one host accepted by Nova and not yet landed, at most. By Little's law a host
 * evacuating at the global rate (5 a second) has rate × landing time in flight: 200 lets the rate,
 * not this bound, set the pace while a landing takes up to 40 s. The bound keeps one host's
 * evacuations from filling Nova's queue for every other's beyond that
 * (docs/nova-and-bmc-facts.md#nova-capacity). 50, the default before, held a host to 50 ÷ 18 s,
 * under 3 a second, on the bench's cloud in real time.
 */
export const DEFAULT_MAX_EVACUATIONS_IN_FLIGHT = 200;
/**
 * The bounds of an incident whose input does not name them, as one started by hand with `temporal
 * workflow start` may not (every report takes them from lazarus.yaml): what such incidents have
 * always used, so that one in flight replays as it ran whatever the defaults become.
 */
export const BOUNDS_OF_UNNAMED_INPUT = { evacuationConcurrency: 4, maxEvacuationsInFlight: 50 };
/**
 * The shortest wait between two looks of the landing watch at a host's evacuations
 * (docs/design.md#the-landing-watch): the longest is 8 times this.
 */
export const DEFAULT_LANDING_CHECK_INTERVAL_MS = 1_000;
/** Evacuations tried per instance, the first included, before a failed landing is final. */
export const DEFAULT_MAX_EVACUATION_ATTEMPTS = 3;

export interface PlannedEvacuation {
  instanceId: string;
  name: string;
  priority: number;
  /** The status before the failure, which decides the status expected after landing. */
  statusBefore: string;
}

export interface SkippedInstance {
  instanceId: string;
  name: string;
  reason: string;
}

export interface EvacuationPlan {
  /** In evacuation order: highest priority first, then running before stopped before errored. */
  evacuate: PlannedEvacuation[];
  skip: SkippedInstance[];
}

// Nova evacuates only instances whose vm_state is active, stopped or error
// (docs/nova-and-bmc-facts.md#evacuate-errors).
const STATUS_ORDER: Readonly<Record<string, number>> = { ACTIVE: 0, SHUTOFF: 1, ERROR: 2 };

const TRUTHY = new Set(['true', '1', 'yes', 'on']);

/**
 * Undefined when the instance is marked protected, else what was found instead. The first source
 * that has a key decides, so instance metadata can opt out what its flavor or image opts in.
 */
function protectionMark(instance: InstanceFacts, keys: readonly string[]): string | undefined {
  const sources = [
    ['metadata', instance.metadata],
    ['flavor extra spec', instance.flavorExtraSpecs],
    ['image property', instance.imageProperties],
  ] as const;
  for (const [source, values] of sources) {
    for (const key of keys) {
      const value = values[key];
      if (value !== undefined)
        return TRUTHY.has(value.trim().toLowerCase()) ? undefined : `${source} ${key}=${value}`;
    }
  }
  return 'no protection mark';
}

function priorityOf(instance: InstanceFacts, key: string): number {
  const value = Number(instance.metadata[key] ?? '0');
  return Number.isInteger(value) ? value : 0;
}

/** Why the policy leaves this instance where it is, or undefined when it is to be evacuated. */
function reasonToSkip(instance: InstanceFacts, policy: EvacuationPolicy): string | undefined {
  if (policy.protect === 'tagged') {
    const unprotected = protectionMark(instance, policy.protectionKeys);
    if (unprotected !== undefined) {
      return `not protected (${unprotected}); mark it with metadata ${policy.protectionKeys.map((key) => `${key}=true`).join(' or ')} to have it evacuated`;
    }
  }
  if (!(instance.status in STATUS_ORDER)) {
    return `status ${instance.status}: Nova evacuates only ACTIVE, SHUTOFF and ERROR instances`;
  }
  if (instance.status === 'SHUTOFF' && policy.stopped === 'skip')
    return 'stopped, and the policy skips stopped instances (policy.stopped)';
  if (instance.status === 'ERROR' && policy.errored === 'skip')
    return 'in ERROR, and the policy skips errored instances (policy.errored)';
  if (instance.isLocked && policy.locked === 'skip')
    return 'locked, and the policy skips locked instances (policy.locked)';
  if (!instance.isBootFromVolume && policy.imageBackedOnLocalDisk === 'skip') {
    return (
      'image-backed root disk on the failed host: evacuation would rebuild it from its image and lose its data; ' +
      'set policy.imageBackedOnLocalDisk to evacuate if instance storage is shared or the loss is acceptable'
    );
  }
  return undefined;
}

/** The metadata and flavor extra spec keys the policy reads: all an instance listing must carry. */
export function policyKeys(policy: EvacuationPolicy): string[] {
  return [...new Set([...policy.protectionKeys, policy.priorityKey])];
}

export function planEvacuation(
  instances: readonly InstanceFacts[],
  policy: EvacuationPolicy,
): EvacuationPlan {
  const plan: EvacuationPlan = { evacuate: [], skip: [] };
  for (const instance of instances) {
    const reason = reasonToSkip(instance, policy);
    if (reason === undefined) {
      plan.evacuate.push({
        instanceId: instance.id,
        name: instance.name,
        priority: priorityOf(instance, policy.priorityKey),
        statusBefore: instance.status,
      });
    } else {
      plan.skip.push({ instanceId: instance.id, name: instance.name, reason });
    }
  }
  plan.evacuate.sort(
    (a, b) =>
      b.priority - a.priority ||
      (STATUS_ORDER[a.statusBefore] ?? 0) - (STATUS_ORDER[b.statusBefore] ?? 0) ||
      // Code-unit order, not localeCompare: the result must not depend on the worker's locale.
      (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0),
  );
  return plan;
}
