// A chaos run is replayed from its seed: the plan must be the same every time, differ between
// seeds, and over consecutive seeds reach every activity boundary and every kind of chaos.
import { describe, expect, it } from 'vitest';
import { ACTIVITY_BOUNDARIES, formatKillPoint } from '../../../chaos/kill-points.ts';
import { CHAOS_WINDOW_MS, planRun } from '../../../chaos/schedule.ts';

const shape = { hosts: 8, instancesPerHost: 5 };

describe('planRun', () => {
  it('gives the same plan for the same seed, and another for another seed', () => {
    expect(planRun(42, shape)).toEqual(planRun(42, shape));
    expect(planRun(43, shape)).not.toEqual(planRun(42, shape));
  });

  it('fails one host of the fleet first, then acts in time order within the chaos window', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const { actions } = planRun(seed, shape);
      const failure = actions.find((timed) => timed.action.kind === 'fail-host');
      expect(failure?.atMs).toBe(0);
      expect(failure?.action).toMatchObject({
        host: expect.stringMatching(/^cmp-0[1-8]$/) as unknown,
      });
      expect(actions.map((timed) => timed.atMs)).toEqual(
        actions.map((timed) => timed.atMs).sort((a, b) => a - b),
      );
      expect(Math.max(...actions.map((timed) => timed.atMs))).toBeLessThanOrEqual(CHAOS_WINDOW_MS);
    }
  });

  it('puts a BMC fault in place before the failure, so it decides how fencing goes', () => {
    const withBmcFault = Array.from({ length: 40 }, (_, seed) => planRun(seed, shape).actions).find(
      (actions) => actions.some((timed) => timed.action.kind === 'bmc-fault'),
    );
    expect(withBmcFault?.[0]?.action.kind).toBe('bmc-fault');
    expect(withBmcFault?.[1]?.action.kind).toBe('fail-host');
  });

  it('kills a worker at every activity boundary, before and after, within any ten consecutive seeds', () => {
    const killed = new Set(
      Array.from({ length: 10 }, (_, i) => planRun(1000 + i, shape).boundaryKill).map(
        (point) => `${point.activityType}:${point.moment}`,
      ),
    );
    expect([...killed].sort()).toEqual(
      ACTIVITY_BOUNDARIES.map((point) => formatKillPoint(point).replace(/:1$/, '')).sort(),
    );
  });

  it('injects every kind of chaos over a hundred seeds, with at least three worker kills per run', () => {
    const plans = Array.from({ length: 100 }, (_, seed) => planRun(seed, shape));
    const kinds = new Set(
      plans.flatMap((plan) =>
        plan.actions.map((timed) =>
          'fault' in timed.action ? timed.action.fault : timed.action.kind,
        ),
      ),
    );
    expect([...kinds].sort()).toEqual([
      'alert-repeat-after-abort',
      'bmc-ignores-power-off',
      'bmc-lying',
      'bmc-slow',
      'bmc-unreachable',
      'cascading-failure',
      'credential-rotation',
      'duplicate-report',
      'evacuate-lost-response',
      'evacuation-cancel',
      'evacuation-terminate',
      'fail-host',
      'incident-terminate',
      'keystone-outage',
      'kill-server',
      'kill-worker',
      'nova-5xx',
      'nova-latency',
      'nova-outage-long',
      'operator-cancel',
      'operator-readmit',
      'operator-reset',
      'readmission-race',
      'service-update-lost-response',
      'someone-else-evacuates',
      'start-competing-worker',
      'token-expiry',
    ]);
    for (const plan of plans)
      expect(
        plan.actions.filter((timed) => timed.action.kind === 'kill-worker').length,
      ).toBeGreaterThanOrEqual(3);
  });

  it('races the operator only in runs whose re-admission is automatic, and aborts only with fencing kept unproven and no reset', () => {
    const plans = Array.from({ length: 200 }, (_, seed) => planRun(seed, shape));
    for (const plan of plans) {
      const faults = plan.actions.map((timed) =>
        'fault' in timed.action ? timed.action.fault : timed.action.kind,
      );
      expect(faults.includes('readmission-race')).toBe(plan.readmission === 'automatic');
      if (!faults.includes('alert-repeat-after-abort')) continue;
      expect(faults).not.toContain('operator-reset');
      expect(
        plan.actions.flatMap((timed) =>
          timed.action.kind === 'bmc-fault' ? [timed.action.faults] : [],
        ),
      ).toEqual([{ unreachable: true }]);
    }
  });

  it('never plans a lie that read-back cannot catch: a BMC claiming Off while the host is on', () => {
    const lies = Array.from({ length: 200 }, (_, seed) => planRun(seed, shape).actions)
      .flat()
      .flatMap((timed) =>
        timed.action.kind === 'bmc-fault' ? [timed.action.faults.misreportPower] : [],
      );
    expect(lies).toContain('On');
    expect(lies).not.toContain('Off');
  });
});
