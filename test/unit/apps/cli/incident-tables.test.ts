import { describe, expect, it } from 'vitest';
import type { IncidentState, InstanceRow } from '../../../../contracts/incident-messages.ts';
import {
  formatAge,
  incidentsTable,
  instancesTable,
  isRecoveryFinished,
} from '../../../../apps/cli/commands/incident-tables.ts';

const rows: InstanceRow[] = [
  {
    instanceId: 'i-1',
    name: 'db-1',
    progress: { outcome: 'landed', host: 'cmp-02', durationMs: 4_400, attempts: 1, migrationId: 7 },
  },
  {
    instanceId: 'i-2',
    name: 'db-2',
    progress: { outcome: 'failed', reason: 'NoValidHost on every try', attempts: 3 },
  },
  { instanceId: 'i-3', name: 'web', progress: { outcome: 'skipped', reason: 'not protected' } },
];

function state(phase: IncidentState['phase'], instances: InstanceRow[]): IncidentState {
  return {
    incidentId: 'incident/cmp-01/r',
    host: 'cmp-01',
    incidentStartedAt: '2026-11-21T21:00:00Z',
    phase,
    reports: [],
    reportCount: 0,
    fencing: { attempts: 1 },
    instances,
  };
}

describe('incident tables', () => {
  it('show where each instance went, how long it took and why one failed', () => {
    expect(instancesTable(rows, 'cmp-01')).toEqual([
      'INSTANCE  NAME  OUTCOME  NOW ON  DETAILS',
      'i-1       db-1  landed   cmp-02  verified after 4 s, 1 evacuation',
      'i-2       db-2  failed   -       NoValidHost on every try (3 attempts)',
      'i-3       web   skipped  -       not protected',
    ]);
  });

  it('count skipped instances apart from those to move, and say what an incident waits for', () => {
    const summary = {
      host: 'cmp-01',
      workflowId: 'incident/cmp-01',
      phase: 'AwaitingReadmission',
      startedAt: new Date('2026-11-21T21:00:00Z'),
    };
    expect(
      incidentsTable(
        [
          { ...summary, state: state('AwaitingReadmission', rows) },
          { ...summary, host: 'cmp-02' },
        ],
        new Date('2026-11-21T22:05:09Z'),
      ),
    ).toBe(
      [
        'HOST    PHASE                INSTANCES         AGE    WAITING FOR',
        'cmp-01  AwaitingReadmission  2/2 (+1 skipped)  1h05m  lazarus readmit cmp-01 once it is repaired',
        'cmp-02  AwaitingReadmission  ?                 1h05m  no answer from the incident (is a worker running?)',
      ].join('\n'),
    );
  });

  it('call a recovery finished only after the evacuations, once every instance to move has its outcome', () => {
    expect(isRecoveryFinished(state('Evacuating', rows))).toBe(false);
    expect(isRecoveryFinished(state('AwaitingReadmission', rows))).toBe(true);
    expect(
      isRecoveryFinished(
        state('AwaitingReadmission', [
          ...rows,
          { instanceId: 'i-4', name: 'x', progress: { outcome: 'evacuating' } },
        ]),
      ),
    ).toBe(false);
    expect(isRecoveryFinished(state('Reported', rows))).toBe(true);
  });

  it('write ages the way operators read them', () => {
    expect([59_999, 61_000, 3_600_000 * 3 + 60_000, 3_600_000 * 50].map(formatAge)).toEqual([
      '59s',
      '1m01s',
      '3h01m',
      '2d',
    ]);
  });
});
