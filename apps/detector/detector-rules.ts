// What the built-in detector concludes from one look at a host: Nova's view of its nova-compute and,
// when the rules need it, its BMC's. Pure, so every rule and combination is unit-tested.
import type { BmcPowerReading } from '../../activities/incident/failure-evidence.ts';

/** lazarus.yaml's `detector.reportWhen`: the conditions that must all hold for a host to be reported. */
export interface DetectorRules {
  /** Nova reports the host's nova-compute service down (its heartbeats stopped). */
  isNovaDownRequired: boolean;
  /** The host's BMC answers, so fencing can prove the host off. */
  isBmcReachableRequired: boolean;
  /** The host's BMC reports the chassis off. */
  isBmcPowerOffRequired: boolean;
  /** Hosts whose nova-compute is disabled or forced down are in maintenance or already handled. */
  shouldIgnoreDisabled: boolean;
}

export const DEFAULT_DETECTOR_RULES: DetectorRules = {
  isNovaDownRequired: true,
  isBmcReachableRequired: true,
  isBmcPowerOffRequired: false,
  shouldIgnoreDisabled: true,
};

/** One host at one poll. */
export interface HostObservation {
  host: string;
  nova:
    | {
        isKnown: true;
        state: 'up' | 'down';
        isDisabled: boolean;
        isForcedDown: boolean;
        lastHeartbeat: string | null;
      }
    /** Nova lists the service but cannot reach its cell, so it knows nothing of it. */
    | { isKnown: false };
  /** Absent when the rules did not need the BMC for this host. */
  bmc?: BmcPowerReading;
}

/** Every 10 s, reported after 30 s: past Nova's own service_down_time of 60 s, a dead host is reported about 90 s after its last heartbeat. */
export const DEFAULT_DETECTOR_SETTINGS = {
  pollMs: 10_000,
  debounceMs: 30_000,
  reporter: 'lazarus-detector',
} as const;

export type Assessment =
  /** Every required condition holds. */
  | { kind: 'failing'; evidence: string }
  /** The failure signal holds, but a required corroboration does not. */
  | { kind: 'unconfirmed'; evidence: string; missing: string }
  | { kind: 'ignored'; why: string }
  /** Nothing to conclude from this poll: the debounce neither advances nor restarts. */
  | { kind: 'unknown'; why: string }
  | { kind: 'healthy' };

/** Whether `host`'s BMC must be read this poll: only where it can change the assessment. */
export function needsBmc(rules: DetectorRules, nova: HostObservation['nova']): boolean {
  if (!rules.isBmcReachableRequired && !rules.isBmcPowerOffRequired) return false;
  if (!nova.isKnown || (rules.shouldIgnoreDisabled && (nova.isDisabled || nova.isForcedDown)))
    return false;
  return !rules.isNovaDownRequired || nova.state === 'down';
}

function describeBmc(bmc: BmcPowerReading | undefined): string {
  if (bmc === undefined) return '';
  return bmc.isReachable
    ? `; its ${bmc.protocol} BMC at ${bmc.address} answers: power ${bmc.power}`
    : `; its BMC cannot be read: ${bmc.why}`;
}

/** The rules as a clause for the log: "Nova reports it down and its BMC answers". */
export function describeRules(rules: DetectorRules): string {
  const clauses = [
    rules.isNovaDownRequired ? 'Nova reports it down' : undefined,
    rules.isBmcPowerOffRequired
      ? 'its BMC reports power Off'
      : rules.isBmcReachableRequired
        ? 'its BMC answers'
        : undefined,
  ].filter((clause) => clause !== undefined);
  return `${clauses.join(' and ')}${rules.shouldIgnoreDisabled ? ' (disabled services aside)' : ''}`;
}

export function assessHost(observation: HostObservation, rules: DetectorRules): Assessment {
  const { nova, bmc } = observation;
  if (!nova.isKnown)
    return { kind: 'unknown', why: 'Nova cannot reach the cell of its nova-compute service' };
  if (rules.shouldIgnoreDisabled && (nova.isDisabled || nova.isForcedDown)) {
    return {
      kind: 'ignored',
      why: `its nova-compute is ${nova.isForcedDown ? 'forced down' : 'disabled'} (maintenance, or an incident under way)`,
    };
  }
  const isBmcReachable = bmc?.isReachable === true;
  const conditions = [
    {
      isRequired: rules.isNovaDownRequired,
      isFailureSignal: true,
      holds: nova.state === 'down',
      unmet: 'Nova reports its nova-compute up',
    },
    {
      isRequired: rules.isBmcPowerOffRequired,
      isFailureSignal: true,
      holds: isBmcReachable && bmc.power === 'Off',
      unmet: 'the rules require its BMC to report power Off',
    },
    {
      isRequired: rules.isBmcReachableRequired,
      isFailureSignal: false,
      holds: isBmcReachable,
      unmet: 'the rules require a BMC that answers, so that fencing can prove the host off',
    },
  ].filter((condition) => condition.isRequired);
  if (!conditions.some((condition) => condition.isFailureSignal && condition.holds))
    return { kind: 'healthy' };
  const evidence = `Nova reports its nova-compute ${nova.state} (last heartbeat ${nova.lastHeartbeat ?? 'never'})${describeBmc(bmc)}`;
  const unmet = conditions
    .filter((condition) => !condition.holds)
    .map((condition) => condition.unmet);
  return unmet.length === 0
    ? { kind: 'failing', evidence }
    : { kind: 'unconfirmed', evidence, missing: unmet.join('; ') };
}
