import { describe, expect, it } from 'vitest';
import type { AdmissionRequest, StormGuardState } from '../../../contracts/storm-guard-messages.ts';
import {
  admissionVerdict,
  admittedWithinWindow,
  incidentsToCheck,
  withoutClosed,
} from '../../../domain/storm-guard-policy.ts';
import { guardDetails } from '../../../domain/storm-guard-progress.ts';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const minutesAgo = (minutes: number): string => new Date(NOW - minutes * 60_000).toISOString();

function guard(overrides: Partial<StormGuardState> = {}): StormGuardState {
  return {
    limits: { maxIncidents: 2, maxFractionDown: 0.25, windowMs: 10 * 60_000 },
    admitted: [],
    held: [],
    running: [],
    suppressions: [],
    decisions: [],
    ...overrides,
  };
}

function request(host: string, down = 1, computeServices = 20): AdmissionRequest {
  return {
    incidentWorkflowId: `incident/${host}`,
    incidentId: `incident/${host}/run-1`,
    host,
    fleet: { computeServices, down },
    limits: guard().limits,
  };
}

const admitted = (host: string, minutes: number) => ({
  incidentWorkflowId: `incident/${host}`,
  incidentId: `incident/${host}/run-1`,
  host,
  admittedAt: minutesAgo(minutes),
  by: 'the storm guard',
});

describe('the storm guard’s admission decision', () => {
  it('admits an incident within the blast radius and says why', () => {
    expect(
      admissionVerdict(guard({ admitted: [admitted('cmp-01', 1)] }), request('cmp-02', 2), NOW),
    ).toEqual({
      admit: true,
      because: 'within the blast radius (2 of 2 incidents in 10 min, 2 of 20 services down)',
    });
  });

  it('holds the incident past the number of incidents within the window, naming them', () => {
    const verdict = admissionVerdict(
      guard({ admitted: [admitted('cmp-01', 1), admitted('cmp-02', 2)] }),
      request('cmp-03'),
      NOW,
    );
    expect(verdict).toEqual({
      admit: false,
      isHeldForPause: false,
      because: expect.stringContaining(
        '2 incidents were admitted within the last 10 min (cmp-01, cmp-02), and the limit is 2',
      ) as unknown,
    });
  });

  it('forgets admissions older than the window', () => {
    const state = guard({ admitted: [admitted('cmp-01', 11), admitted('cmp-02', 2)] });
    expect(admittedWithinWindow(state, NOW).map((entry) => entry.host)).toEqual(['cmp-02']);
    expect(admissionVerdict(state, request('cmp-03'), NOW).admit).toBe(true);
  });

  it('holds the incident when more of the fleet is down than the limit allows', () => {
    expect(admissionVerdict(guard(), request('cmp-01', 6, 20), NOW)).toMatchObject({
      admit: false,
      because: expect.stringContaining(
        '6 of 20 nova-compute services are down, more than the limit of 25 %',
      ) as unknown,
    });
    expect(admissionVerdict(guard(), request('cmp-01', 5, 20), NOW).admit).toBe(true);
  });

  it('holds every new incident while others are held, so an operator approves a storm as one', () => {
    const state = guard({
      held: [
        {
          incidentWorkflowId: 'incident/cmp-09',
          incidentId: 'incident/cmp-09/run-1',
          host: 'cmp-09',
          fleet: { computeServices: 20, down: 9 },
          heldSince: minutesAgo(1),
          because: 'x',
          isHeldForPause: false,
        },
      ],
    });
    expect(admissionVerdict(state, request('cmp-01'), NOW)).toMatchObject({
      admit: false,
      because: expect.stringContaining('already holds 1 incident(s) (cmp-09)') as unknown,
    });
  });

  it('holds everything while paused, marked so that resuming decides again', () => {
    const state = guard({
      paused: { operator: 'carol', reason: 'maintenance', at: minutesAgo(5) },
    });
    expect(admissionVerdict(state, request('cmp-01'), NOW)).toMatchObject({
      admit: false,
      isHeldForPause: true,
      because: expect.stringContaining('paused by carol') as unknown,
    });
  });

  it('answers a repeated request of an admitted incident as before, whatever the limits say now', () => {
    const state = guard({
      admitted: [admitted('cmp-01', 1), admitted('cmp-02', 1)],
      paused: { operator: 'carol', reason: 'r', at: minutesAgo(1) },
    });
    expect(admissionVerdict(state, request('cmp-02'), NOW)).toEqual({
      admit: true,
      because: 'admitted before',
    });
  });

  it('judges the host’s next incident afresh once the admitted one closed', () => {
    const state = guard({
      admitted: [admitted('cmp-01', 1), admitted('cmp-02', 1)],
      running: [
        { incidentWorkflowId: 'incident/cmp-01', incidentId: 'incident/cmp-01/run-1' },
        { incidentWorkflowId: 'incident/cmp-02', incidentId: 'incident/cmp-02/run-1' },
      ],
    });
    const next = { ...request('cmp-02'), incidentId: 'incident/cmp-02/run-2' };
    expect(admissionVerdict(state, next, NOW)).toMatchObject({
      admit: false,
      because: expect.stringContaining('2 incidents were admitted') as unknown,
    });
  });

  it('forgets running and held incidents found closed, and asks about each incident once', () => {
    const held = {
      incidentWorkflowId: 'incident/cmp-03',
      incidentId: 'incident/cmp-03/run-1',
      host: 'cmp-03',
      fleet: { computeServices: 20, down: 9 },
      heldSince: minutesAgo(1),
      because: 'x',
      isHeldForPause: false,
    };
    const state = guard({
      running: [
        { incidentWorkflowId: 'incident/cmp-01', incidentId: 'incident/cmp-01/run-1' },
        { incidentWorkflowId: 'incident/cmp-03', incidentId: 'incident/cmp-03/run-1' },
      ],
      held: [held],
    });
    expect(incidentsToCheck(state).map((incident) => incident.incidentId)).toEqual([
      'incident/cmp-01/run-1',
      'incident/cmp-03/run-1',
    ]);
    withoutClosed(state, ['incident/cmp-03/run-1']);
    expect(state.running.map((incident) => incident.incidentId)).toEqual(['incident/cmp-01/run-1']);
    expect(state.held).toEqual([]);
  });

  it('shows held incidents with why, and the admitted ones, in the Web UI details', () => {
    const details = guardDetails(
      guard({
        admitted: [admitted('cmp-01', 1)],
        held: [
          {
            incidentWorkflowId: 'incident/cmp-02',
            incidentId: 'incident/cmp-02/run-1',
            host: 'cmp-02',
            fleet: { computeServices: 20, down: 9 },
            heldSince: minutesAgo(1),
            because: 'too | many',
            isHeldForPause: false,
          },
        ],
      }),
    );
    expect(details).toContain('**Automation running**');
    expect(details).toContain(
      '| cmp-02 | incident/cmp-02 | 2026-11-21T11:59:00.000Z | too \\| many |',
    );
    expect(details).toContain('| cmp-01 | incident/cmp-01 |');
  });
});

describe('the storm guard with the flapping guard on (docs/design.md#flapping-guard)', () => {
  const flapping = { failures: 3, windowMs: 24 * 60 * 60_000 };
  const failure = (run: string, minutes: number) => ({
    host: 'cmp-01',
    incidentId: `incident/cmp-01/${run}`,
    at: minutesAgo(minutes),
  });
  const failures = [failure('a', 1200), failure('b', 600), failure('c', 120), failure('run-1', 0)];
  const flappingGuard = (overrides: Partial<StormGuardState> = {}): StormGuardState =>
    guard({ limits: { ...guard().limits, flapping }, failures, ...overrides });

  it('holds the flapping host’s incident, and lets another host’s run while it is held', () => {
    const verdict = admissionVerdict(flappingGuard(), request('cmp-01'), NOW);
    expect(verdict).toMatchObject({ admit: false, isHeldForFlapping: true, isHeldForPause: false });
    const held = {
      ...request('cmp-01'),
      heldSince: minutesAgo(0),
      because: verdict.because,
      isHeldForPause: false,
      isHeldForFlapping: true,
    };
    expect(admissionVerdict(flappingGuard({ held: [held] }), request('cmp-02'), NOW)).toMatchObject(
      { admit: true },
    );
  });

  it('holds nothing for flapping when it is off', () => {
    expect(admissionVerdict(guard({ failures }), request('cmp-01'), NOW)).toMatchObject({
      admit: true,
    });
  });

  it('shows its limit and who is close to flapping in the Web UI', () => {
    const details = guardDetails(
      flappingGuard({ failures: [...failures, { ...failure('x', 60), host: 'cmp-02' }] }),
    );
    expect(details).toContain('a host flaps at 3 failures within 24 h');
    expect(details).toContain('Failures within the flapping window: cmp-01 4, cmp-02 1');
  });
});
