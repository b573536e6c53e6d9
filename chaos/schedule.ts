// What one chaos run does and when, derived from its seed alone, so a failing run is replayed by
// running its seed again. Pure: the harness (run-once.ts) carries the plan out against real
// processes, whose own timing still varies from one replay to the next.
import type { BmcFaults } from '../simulator/bmc/bmc-contract.ts';
import type { FaultRule } from '../simulator/http/faults.ts';
import { createRandom, type SeededRandom } from '../simulator/random.ts';
import type { FailureMode } from '../simulator/world/model.ts';
import type { KillPoint } from './kill-points.ts';
import { ACTIVITY_BOUNDARIES } from './kill-points.ts';

export interface ChaosShape {
  hosts: number;
  instancesPerHost: number;
}

/** Everything the summary counts by kind; each action names its kind. */
export type FaultKind =
  | 'nova-5xx'
  | 'nova-latency'
  | 'evacuate-lost-response'
  | 'service-update-lost-response'
  | 'keystone-outage'
  | 'token-expiry'
  | 'bmc-unreachable'
  | 'bmc-slow'
  | 'bmc-lying'
  | 'bmc-ignores-power-off'
  | 'cascading-failure'
  | 'someone-else-evacuates'
  | 'duplicate-report'
  | 'operator-cancel'
  | 'operator-reset'
  | 'operator-readmit'
  | 'evacuation-terminate'
  | 'evacuation-cancel'
  | 'nova-outage-long'
  | 'incident-terminate'
  | 'credential-rotation'
  | 'alert-repeat-after-abort'
  | 'readmission-race';

export type ChaosAction =
  /** The host fails in the simulator and a health checker reports it. */
  | { kind: 'fail-host'; host: string; mode: FailureMode }
  | { kind: 'kill-worker'; restartAfterMs: number }
  | { kind: 'start-competing-worker' }
  | { kind: 'kill-server'; restartAfterMs: number }
  | {
      kind: 'api-fault';
      fault: Extract<
        FaultKind,
        | 'nova-5xx'
        | 'nova-latency'
        | 'evacuate-lost-response'
        | 'service-update-lost-response'
        | 'keystone-outage'
      >;
      rule: FaultRule;
    }
  | { kind: 'token-expiry'; fault: 'token-expiry' }
  | {
      kind: 'bmc-fault';
      fault: Extract<FaultKind, `bmc-${string}`>;
      host: string;
      faults: BmcFaults;
      clearAfterMs: number;
    }
  /** Once an evacuation from a failed host is in flight, its destination fails too (and is reported). */
  | { kind: 'cascade'; fault: 'cascading-failure'; mode: FailureMode }
  /** Once the host is off and its service down, a human evacuates one of its instances with Nova's API. */
  | { kind: 'someone-else-evacuates'; fault: 'someone-else-evacuates'; host: string }
  /** Another report of a failed host: a duplicate while its incident runs, a late one after it closed. */
  | { kind: 'report-again'; fault: 'duplicate-report'; host: string }
  | { kind: 'cancel-incident'; fault: 'operator-cancel'; host: string }
  | { kind: 'reset-incident'; fault: 'operator-reset'; host: string }
  /**
   * Once the incident awaits re-admission, the host is repaired (powered on) and an operator
   * re-admits it; in a run whose re-admission is automatic, the incident races the operator.
   */
  | { kind: 'readmit'; fault: 'operator-readmit' | 'readmission-race'; host: string }
  /** An operator terminates or cancels one evacuation in flight (the Web UI, `temporal workflow`). */
  | { kind: 'interrupt-evacuation'; fault: 'evacuation-terminate' | 'evacuation-cancel' }
  /** Nova answers 503 to everything for longer than any activity's own retries, past the chaos window. */
  | { kind: 'nova-outage'; fault: 'nova-outage-long'; rule: FaultRule; lastsMs: number }
  /** An operator terminates the incident, and the host's alert reports it again. */
  | { kind: 'terminate-and-report-again'; fault: 'incident-terminate'; host: string }
  /**
   * Keystone's password is rotated: 401 until the credentials file is updated, then an operator
   * asks the waiting incident to retry at once (`lazarus retry`).
   */
  | { kind: 'rotate-password'; fault: 'credential-rotation'; fileUpdatedAfterMs: number }
  /**
   * Once fencing is unproven (its BMC is unreachable), an operator aborts the incident, and the
   * host's alert repeats, as Alertmanager's does; every repeat must be suppressed.
   */
  | {
      kind: 'abort-and-report-again';
      fault: 'alert-repeat-after-abort';
      host: string;
      repeatsAfterMs: number[];
    };

export interface TimedAction {
  /** Milliseconds after the run's first host failure. */
  atMs: number;
  action: ChaosAction;
}

export interface RunPlan {
  seed: number;
  shape: ChaosShape;
  /** The first worker process dies here (SIGKILL from inside, at an activity boundary). */
  boundaryKill: KillPoint;
  /** Sorted by time. */
  actions: TimedAction[];
  /** How the incidents of the run are re-admitted: automatic when the plan races an operator's readmit. */
  readmission: 'operator' | 'automatic';
}

/** The window in which faults and kills land; incidents keep going after it until they settle. */
export const CHAOS_WINDOW_MS = 30_000;

const FAILURE_MODES: readonly FailureMode[] = ['power-loss', 'compute-crash', 'partition'];

/** The simulator's name for its index-th host (simulator/world/build.ts). */
export function hostName(index: number, hosts: number): string {
  return `cmp-${String(index + 1).padStart(Math.max(2, String(hosts).length), '0')}`;
}

/**
 * Seed S's plan. The boundary killed cycles with the seed, so any ten consecutive seeds kill a
 * worker at every activity boundary (before the call and after its side effect).
 */
export function planRun(seed: number, shape: ChaosShape): RunPlan {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[random.below(items.length)] as T;
  const chance = (p: number): boolean => random.next() < p;
  const between = (min: number, max: number): number => min + random.below(max - min + 1);
  const at = (): number => between(0, CHAOS_WINDOW_MS);

  const failed = hostName(random.below(shape.hosts), shape.hosts);
  const actions: TimedAction[] = [
    { atMs: 0, action: { kind: 'fail-host', host: failed, mode: pick(FAILURE_MODES) } },
  ];
  const add = (atMs: number, action: ChaosAction): void => {
    actions.push({ atMs, action });
  };

  const boundary = ACTIVITY_BOUNDARIES[seed % ACTIVITY_BOUNDARIES.length];
  if (boundary === undefined) throw new Error('chaos: no activity boundary to kill at');
  // Evacuations and landings happen once per instance: later occurrences are reached too.
  const isPerInstance =
    boundary.activityType === 'evacuateInstance' || boundary.activityType === 'verifyLanding';
  const boundaryKill: KillPoint = { ...boundary, occurrence: isPerInstance ? between(1, 3) : 1 };

  for (let kills = between(3, 5); kills > 0; kills -= 1)
    add(at(), { kind: 'kill-worker', restartAfterMs: between(200, 5_000) });
  if (chance(0.4)) add(between(0, 5_000), { kind: 'start-competing-worker' });
  if (chance(0.3))
    add(between(1_000, CHAOS_WINDOW_MS), {
      kind: 'kill-server',
      restartAfterMs: between(500, 4_000),
    });
  // BMC faults are in place before fencing starts: they decide how fencing goes.
  if (chance(0.35)) addBmcFault(failed);
  if (chance(0.3))
    add(at(), {
      kind: 'api-fault',
      fault: 'nova-5xx',
      rule: {
        service: 'nova',
        endpoint: '*',
        fault: { kind: 'status', status: pick([500, 502, 503]) },
        times: between(2, 12),
      },
    });
  // Simulated milliseconds at the runs' time scale of 1000: 0.3 to 3 real seconds.
  if (chance(0.3))
    add(at(), {
      kind: 'api-fault',
      fault: 'nova-latency',
      rule: {
        service: 'nova',
        endpoint: '*',
        fault: { kind: 'latency', ms: between(300, 3_000) * 1000 },
        times: between(1, 6),
      },
    });
  if (chance(0.5))
    add(between(0, 3_000), {
      kind: 'api-fault',
      fault: 'evacuate-lost-response',
      rule: {
        service: 'nova',
        endpoint: 'POST /servers/{id}/action',
        action: 'evacuate',
        fault: { kind: 'lost-response' },
        times: between(1, 3),
      },
    });
  if (chance(0.3))
    add(between(0, 2_000), {
      kind: 'api-fault',
      fault: 'service-update-lost-response',
      rule: {
        service: 'nova',
        endpoint: 'PUT /os-services/{id}',
        fault: { kind: 'lost-response' },
        times: 1,
      },
    });
  if (chance(0.25))
    add(at(), {
      kind: 'api-fault',
      fault: 'keystone-outage',
      rule: {
        service: 'keystone',
        endpoint: '*',
        fault: { kind: 'status', status: 503 },
        times: between(2, 8),
      },
    });
  if (chance(0.3)) add(at(), { kind: 'token-expiry', fault: 'token-expiry' });
  if (shape.hosts >= 3 && chance(0.35))
    add(between(0, 10_000), {
      kind: 'cascade',
      fault: 'cascading-failure',
      mode: pick(FAILURE_MODES),
    });
  if (chance(0.35))
    add(between(0, 5_000), {
      kind: 'someone-else-evacuates',
      fault: 'someone-else-evacuates',
      host: failed,
    });
  for (let reports = between(0, 3); reports > 0; reports -= 1)
    add(at(), { kind: 'report-again', fault: 'duplicate-report', host: failed });
  if (chance(0.15))
    add(between(500, 15_000), { kind: 'cancel-incident', fault: 'operator-cancel', host: failed });
  if (chance(0.15))
    add(between(500, 20_000), { kind: 'reset-incident', fault: 'operator-reset', host: failed });
  if (chance(0.5))
    add(between(5_000, CHAOS_WINDOW_MS), {
      kind: 'readmit',
      fault: 'operator-readmit',
      host: failed,
    });

  // Drawn after every earlier choice, so the plans of earlier seeds keep their actions.
  if (chance(0.2))
    add(between(3_000, CHAOS_WINDOW_MS), {
      kind: 'interrupt-evacuation',
      fault: pick(['evacuation-terminate', 'evacuation-cancel'] as const),
    });
  if (chance(0.08))
    add(at(), {
      kind: 'nova-outage',
      fault: 'nova-outage-long',
      rule: { service: 'nova', endpoint: '*', fault: { kind: 'status', status: 503 } },
      // Longer than any bounded retry Lazarus ever had (about 5 minutes), so bringing one back fails.
      lastsMs: between(380_000, 440_000),
    });
  if (chance(0.1))
    add(between(3_000, 20_000), {
      kind: 'terminate-and-report-again',
      fault: 'incident-terminate',
      host: failed,
    });

  if (chance(0.15))
    add(at(), {
      kind: 'rotate-password',
      fault: 'credential-rotation',
      fileUpdatedAfterMs: between(3_000, 40_000),
    });
  if (chance(0.12)) addAbortAndRepeats(failed);
  let readmission: RunPlan['readmission'] = 'operator';
  if (chance(0.15)) {
    readmission = 'automatic';
    const race = { kind: 'readmit', fault: 'readmission-race', host: failed } as const;
    const planned = actions.find((timed) => timed.action.kind === 'readmit');
    if (planned === undefined) add(between(5_000, CHAOS_WINDOW_MS), race);
    else planned.action = race;
  }

  actions.sort((a, b) => a.atMs - b.atMs);
  return { seed, shape, boundaryKill, actions, readmission };

  /**
   * The abort needs fencing unproven long enough for an operator to act: the host's BMC stays
   * unreachable for 90 s instead of any shorter BMC fault, and no reset re-runs the aborted incident.
   */
  function addAbortAndRepeats(host: string): void {
    const kept = actions.filter(
      (timed) => timed.action.kind !== 'bmc-fault' && timed.action.kind !== 'reset-incident',
    );
    actions.splice(0, actions.length, ...kept);
    actions.push({
      atMs: -1,
      action: {
        kind: 'bmc-fault',
        fault: 'bmc-unreachable',
        host,
        faults: { unreachable: true },
        clearAfterMs: 90_000,
      },
    });
    add(between(3_000, 20_000), {
      kind: 'abort-and-report-again',
      fault: 'alert-repeat-after-abort',
      host,
      repeatsAfterMs: [1_000, between(2_000, 20_000)],
    });
  }

  function addBmcFault(host: string): void {
    const clearAfterMs = between(2_000, 40_000);
    const fault = pick([
      'bmc-unreachable',
      'bmc-slow',
      'bmc-lying',
      'bmc-ignores-power-off',
    ] as const);
    const faults: Record<typeof fault, BmcFaults> = {
      'bmc-unreachable': { unreachable: true },
      'bmc-slow': { latencyMs: between(200, 2_000) * 1000 },
      // Only the lie that costs an operator's confirmation: a BMC claiming Off while On is beyond
      // what read-back can prove (activities/fencing/README.md) and is not injected.
      'bmc-lying': { misreportPower: 'On' },
      'bmc-ignores-power-off': { ignorePowerOff: true },
    };
    actions.push({
      atMs: -1,
      action: { kind: 'bmc-fault', fault, host, faults: faults[fault], clearAfterMs },
    });
  }
}

/** The seeded choices of the harness itself while it runs (which worker dies, which instance a human takes). */
export function harnessRandom(seed: number): SeededRandom {
  return createRandom(seed ^ 0x5eed);
}
