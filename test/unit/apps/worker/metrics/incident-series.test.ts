import { describe, expect, it } from 'vitest';
import type { IncidentState, InstanceRow } from '../../../../../contracts/incident-messages.ts';
import type { StormGuardState } from '../../../../../contracts/storm-guard-messages.ts';
import { DEFAULT_STORM_GUARD_LIMITS } from '../../../../../contracts/storm-guard-messages.ts';
import {
  failedInstancesSeries,
  heldByStormGuardSeries,
  incidentAgeSeries,
  REASON_MAX_LENGTH,
  reasonLabel,
} from '../../../../../apps/worker/metrics/incident-series.ts';

const NOW = new Date('2026-11-21T21:10:00Z');

function state(overrides: Partial<IncidentState>): IncidentState {
  return {
    incidentId: 'incident/cmp-07/r',
    host: 'cmp-07',
    incidentStartedAt: '2026-11-21T21:00:00Z',
    phase: 'Evacuating',
    reports: [],
    reportCount: 1,
    fencing: { attempts: 1 },
    instances: [],
    ...overrides,
  };
}

const failed = (name: string, reason: string): InstanceRow => ({
  instanceId: `i-${name}`,
  name,
  progress: { outcome: 'failed', reason, attempts: 3 },
});

describe('the per-incident series of the alerts', () => {
  it('give an open incident its age under its host, its phase and why it waits', () => {
    const unproven = state({
      phase: 'FencingUnproven',
      fencing: {
        attempts: 2,
        unprovenReason: 'power state still "On" 20 s after ForceOff via https://10.0.0.7',
      },
    });
    expect(incidentAgeSeries(unproven, NOW)).toEqual({
      tags: {
        host: 'cmp-07',
        phase: 'FencingUnproven',
        reason: 'power state still "On" 20 s after ForceOff via https://10.0.0.7',
      },
      value: 600,
    });
  });

  it('keep the reason of a step waiting for Nova the same from one try to the next', () => {
    const waitingAt = (tries: number, lastError: string) =>
      incidentAgeSeries(
        state({
          phase: 'ForcingDown',
          waiting: {
            step: 'force down the nova-compute service of cmp-07',
            kind: 'outage',
            since: '2026-11-21T21:01:00Z',
            tries,
            lastError,
            nextTryAt: '2026-11-21T21:11:00Z',
          },
        }),
        NOW,
      ).tags;
    expect(waitingAt(2, 'Nova answered 503')).toEqual(waitingAt(9, 'connection refused'));
    expect(waitingAt(2, 'Nova answered 503').reason).toBe(
      'waiting to force down the nova-compute service of cmp-07: Nova or Keystone unreachable',
    );
  });

  it("name the storm guard's reason for a held incident, and the phase's work otherwise", () => {
    const held = state({
      phase: 'AwaitingApproval',
      admission: { heldBecause: '4 incidents were admitted within the last 10 min' },
    });
    expect(incidentAgeSeries(held, NOW).tags.reason).toBe(
      '4 incidents were admitted within the last 10 min',
    );
    expect(incidentAgeSeries(state({ phase: 'Evacuating' }), NOW).tags.reason).toBe(
      'evacuating its instances',
    );
  });

  it('say instances wait for room on other hosts, without the figures that change with each look', () => {
    const waiting = state({
      instances: [
        {
          instanceId: 'i-a',
          name: 'a',
          progress: { outcome: 'planned', waitingForCapacity: 'no capacity: needs 2 vCPU / …' },
        },
      ],
    });
    expect(incidentAgeSeries(waiting, NOW).tags.reason).toBe(
      'instances wait for room on other hosts',
    );
  });

  it('count the failed instances of an incident and name the first with its reason', () => {
    const partly = state({
      phase: 'AwaitingReadmission',
      instances: [
        failed('db-1', 'No valid host was found'),
        {
          instanceId: 'i-web',
          name: 'web',
          progress: {
            outcome: 'landed',
            host: 'cmp-02',
            durationMs: 4_000,
            attempts: 1,
            migrationId: 3,
          },
        },
        failed('db-2', 'Instance is in ERROR'),
      ],
    });
    expect(failedInstancesSeries(partly)).toEqual({
      tags: {
        host: 'cmp-07',
        phase: 'AwaitingReadmission',
        reason: 'db-1: No valid host was found',
      },
      value: 2,
    });
    expect(failedInstancesSeries(state({}))).toBeUndefined();
  });

  it('give each incident the storm guard holds the seconds since it was held', () => {
    const guard: StormGuardState = {
      limits: DEFAULT_STORM_GUARD_LIMITS,
      admitted: [],
      running: [],
      suppressions: [],
      decisions: [],
      held: [
        {
          incidentWorkflowId: 'incident/cmp-09',
          incidentId: 'incident/cmp-09/r',
          host: 'cmp-09',
          fleet: { computeServices: 10, down: 4 },
          heldSince: '2026-11-21T21:09:00Z',
          because: '4 of 10 nova-compute services are down,\nmore than the limit of 25 %',
          isHeldForPause: false,
        },
      ],
    };
    expect(heldByStormGuardSeries(guard, NOW)).toEqual([
      {
        tags: {
          host: 'cmp-09',
          reason: '4 of 10 nova-compute services are down, more than the limit of 25 %',
        },
        value: 60,
      },
    ]);
  });

  it('keep a reason to one line of bounded length', () => {
    const long = reasonLabel(`power state\n\n${'x'.repeat(500)}`);
    expect(long).toHaveLength(REASON_MAX_LENGTH);
    expect(long).toMatch(/^power state x+…$/);
  });
});
