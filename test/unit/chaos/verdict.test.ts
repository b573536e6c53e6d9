// The verdict of a chaos run, on synthetic ledgers and incident states: a clean run passes, and each
// kind of violation is caught and named.
import { describe, expect, it } from 'vitest';
import type { IncidentObservation, RunObservations } from '../../../chaos/verdict.ts';
import { judgeRun } from '../../../chaos/verdict.ts';
import type { LedgerEntry } from '../../../simulator/ledger/ledger.ts';
import type { IncidentState, InstanceProgress } from '../../../contracts/incident-messages.ts';

const at = '2026-01-01T00:00:00.000Z';
const host = 'cmp-01';

function evacuate(
  seq: number,
  instance: string,
  requestId = `req-${seq}`,
  sourcePower: 'On' | 'Off' = 'Off',
): LedgerEntry {
  return {
    seq,
    at,
    kind: 'evacuate',
    instance,
    sourceHost: host,
    sourcePower,
    targetHost: null,
    migrationId: seq,
    requestId,
    microversion: '2.95',
  };
}

/** The host forced down (and disabled) while its power was off. */
function forcedDown(seq: number): LedgerEntry {
  return {
    seq,
    at,
    kind: 'service-update',
    host,
    binary: 'nova-compute',
    forcedDown: true,
    power: 'Off',
    requestId: `req-${seq}`,
  };
}

function incident(
  rows: [string, InstanceProgress][],
  overrides: Partial<IncidentObservation> = {},
  phase: IncidentState['phase'] = 'AwaitingReadmission',
): IncidentObservation {
  const state: IncidentState = {
    incidentId: `incident/${host}/run-1`,
    host,
    incidentStartedAt: at,
    phase,
    reports: [],
    reportCount: 0,
    fencing: { attempts: 1 },
    instances: rows.map(([instanceId, progress]) => ({ instanceId, name: instanceId, progress })),
  };
  return { workflowId: `incident/${host}`, runId: 'run-1', status: 'RUNNING', state, ...overrides };
}

const landed = (migrationId: number): InstanceProgress => ({
  outcome: 'landed',
  host: 'cmp-02',
  durationMs: 1000,
  attempts: 1,
  migrationId,
});

/** vm-a and vm-b evacuated once each and landed on cmp-02; the incident awaits re-admission. */
function cleanRun(): RunObservations {
  return {
    ledger: [
      { seq: 1, at, kind: 'host-failure', host, mode: 'power-loss' },
      forcedDown(2),
      evacuate(3, 'vm-a'),
      evacuate(4, 'vm-b'),
    ],
    failedHosts: [{ host, instances: ['vm-a', 'vm-b'] }],
    incidents: [
      incident([
        ['vm-a', landed(3)],
        ['vm-b', landed(4)],
      ]),
    ],
    finalInstances: [
      { uuid: 'vm-a', host: 'cmp-02' },
      { uuid: 'vm-b', host: 'cmp-02' },
    ],
    migrations: [
      { id: 3, status: 'done', source: host },
      { id: 4, status: 'done', source: host },
    ],
    someoneElse: [],
    failedEvacuations: [],
    aborts: [],
    reports: [],
    unansweredUpdates: [],
  };
}

const invariantsOf = (run: RunObservations): string[] =>
  judgeRun(run).map((violation) => violation.invariant);

describe('judgeRun', () => {
  it('finds nothing wrong with a run where each instance was evacuated once after fencing and landed', () => {
    expect(judgeRun(cleanRun())).toEqual([]);
  });

  it('flags an evacuate of a powered host (I1) and forced_down on a powered host (I4)', () => {
    const run = cleanRun();
    run.ledger = [
      ...run.ledger,
      evacuate(5, 'vm-c', 'req-5', 'On'),
      {
        seq: 6,
        at,
        kind: 'service-update',
        host: 'cmp-03',
        binary: 'nova-compute',
        forcedDown: true,
        power: 'On',
        requestId: 'req-6',
      },
    ];
    expect(invariantsOf(run)).toEqual(['I1', 'I4']);
  });

  it('flags a second evacuate of an instance while its first had not failed (I2)', () => {
    const run = cleanRun();
    run.ledger = [...run.ledger, evacuate(5, 'vm-a')];
    expect(judgeRun(run)).toEqual([
      expect.objectContaining({
        invariant: 'I2',
        message: expect.stringContaining('ledger entries 3, 5') as unknown,
      }),
    ]);
  });

  it("does not blame Lazarus for a second evacuate that was someone else's, by request id or, when the answer was lost, by when it was sent", () => {
    const run = cleanRun();
    run.ledger = [...run.ledger, evacuate(5, 'vm-a', 'req-human'), evacuate(6, 'vm-b')];
    run.someoneElse = [
      { instance: 'vm-a', requestId: 'req-human', afterSeq: 4, untilSeq: 5 },
      { instance: 'vm-b', requestId: null, afterSeq: 5, untilSeq: 6 },
    ];
    expect(judgeRun(run)).toEqual([]);
    run.someoneElse = [
      { instance: 'vm-a', requestId: 'req-human', afterSeq: 4, untilSeq: 5 },
      { instance: 'vm-b', requestId: null, afterSeq: 6, untilSeq: 7 },
    ];
    expect(invariantsOf(run)).toEqual(['I2']);
  });

  it('flags an instance left evacuating, one reported landed by a migration Nova does not show done, and a failure without a reason (I3)', () => {
    const run = cleanRun();
    run.failedHosts = [{ host, instances: ['vm-a', 'vm-b', 'vm-c'] }];
    run.incidents = [
      incident([
        ['vm-a', { outcome: 'evacuating' }],
        ['vm-b', landed(9)],
        ['vm-c', { outcome: 'failed', reason: ' ', attempts: 1 }],
      ]),
    ];
    expect(judgeRun(run).map((violation) => violation.message)).toEqual([
      expect.stringContaining('vm-a was left "evacuating"'),
      expect.stringContaining('vm-b is reported landed by migration 9, which Nova shows nowhere'),
      expect.stringContaining('vm-c is "failed" without a reason'),
    ]);
  });

  it('flags an instance still on the failed host that no incident lists (I3), but not one someone moved away first', () => {
    const run = cleanRun();
    run.failedHosts = [{ host, instances: ['vm-a', 'vm-b', 'vm-lost', 'vm-moved'] }];
    run.finalInstances = [
      ...run.finalInstances,
      { uuid: 'vm-lost', host },
      { uuid: 'vm-moved', host: 'cmp-03' },
    ];
    expect(judgeRun(run)).toEqual([
      expect.objectContaining({
        invariant: 'I3',
        message: expect.stringContaining('vm-lost was on cmp-01') as unknown,
      }),
    ]);
  });

  it('accepts an incident waiting for an operator before any instance was selected, with nothing evacuated', () => {
    const run = cleanRun();
    run.ledger = run.ledger.slice(0, 1);
    run.incidents = [incident([], {}, 'FencingUnproven')];
    run.finalInstances = [
      { uuid: 'vm-a', host },
      { uuid: 'vm-b', host },
    ];
    expect(judgeRun(run)).toEqual([]);
  });

  it('flags an incident still busy or one that failed (I9), and a failed host without any incident (I10)', () => {
    const busy = cleanRun();
    busy.incidents = [
      incident(
        [
          ['vm-a', landed(3)],
          ['vm-b', landed(4)],
        ],
        {},
        'Evacuating',
      ),
    ];
    expect(judgeRun(busy).map((violation) => violation.message)).toEqual([
      expect.stringContaining('RUNNING in phase Evacuating, neither closed nor waiting'),
    ]);
    const failed = cleanRun();
    failed.incidents = [{ workflowId: `incident/${host}`, runId: 'run-1', status: 'FAILED' }];
    expect(invariantsOf(failed)).toEqual(['I9']);
    const unreported = cleanRun();
    unreported.incidents = [];
    expect(judgeRun(unreported)).toEqual([
      {
        invariant: 'I10',
        message: 'host cmp-01 failed and was reported, but no incident of it exists',
      },
    ]);
  });

  it('counts an evacuation workflow that ended Failed or TimedOut against I9', () => {
    const run = cleanRun();
    run.failedEvacuations = ['evacuation/incident/cmp-01/run-1/vm-a'];
    expect(invariantsOf(run)).toEqual(['I9']);
  });

  it('ignores a run replaced by a reset or a continue-as-new and judges its successor', () => {
    const run = cleanRun();
    run.incidents = [
      incident(
        [['vm-a', { outcome: 'evacuating' }]],
        { status: 'TERMINATED', runId: 'run-0' },
        'Evacuating',
      ),
      incident([], { status: 'CONTINUED_AS_NEW', runId: 'run-00' }),
      ...run.incidents,
    ];
    expect(judgeRun(run)).toEqual([]);
  });

  it('counts an operator’s Update left without an answer against I9', () => {
    const run = cleanRun();
    run.unansweredUpdates = ['readmit cmp-01'];
    expect(judgeRun(run)).toEqual([
      {
        invariant: 'I9',
        message:
          "the operator's readmit cmp-01 got no answer: the Update was accepted and left waiting",
      },
    ]);
  });

  it('accepts reports after an abort that were suppressed or joined the aborted run, and flags one that started a run or anything done to the host (I10)', () => {
    const aborted = (): RunObservations => {
      const run = cleanRun();
      run.ledger = [{ seq: 1, at, kind: 'host-failure', host, mode: 'power-loss' }];
      run.incidents = [incident([], { status: 'COMPLETED', runId: 'run-1' }, 'Aborted')];
      run.aborts = [{ host, runId: 'run-1', afterSeq: 1, at: 5_000 }];
      run.reports = [
        // Before the abort, with no ledger entry between: a terminated first run, then run-1.
        { host, sentAt: 1_000, answer: 'started', runId: 'run-0' },
        { host, sentAt: 2_000, answer: 'started', runId: 'run-1' },
        { host, sentAt: 4_000, answer: 'joined', runId: 'run-1' },
        // After it.
        { host, sentAt: 5_000, answer: 'joined', runId: 'run-1' },
        { host, sentAt: 6_000, answer: 'suppressed', because: 'suppressed: aborted by …' },
      ];
      return run;
    };
    expect(judgeRun(aborted())).toEqual([]);

    const ignored = aborted();
    ignored.reports = [
      ...ignored.reports,
      { host, sentAt: 7_000, answer: 'started', runId: 'run-2' },
    ];
    ignored.ledger = [
      ...ignored.ledger,
      { seq: 2, at, kind: 'power', host, state: 'Off', previous: 'On', via: 'redfish' },
      forcedDown(3),
    ];
    expect(judgeRun(ignored).map(({ invariant, message }) => `${invariant} ${message}`)).toEqual([
      'I10 a report of cmp-01 after the operator aborted run run-1 started run run-2 instead of being suppressed',
      'I10 cmp-01 was acted on (power, ledger entry 2) after the operator aborted run run-1',
      'I10 cmp-01 was acted on (service-update, ledger entry 3) after the operator aborted run run-1',
    ]);
  });
});
