import { describe, expect, it } from 'vitest';
import type { IncidentState } from '../../../contracts/incident-messages.ts';
import { incidentOutcome, progressTable } from '../../../domain/incident-progress.ts';

const state: IncidentState = {
  incidentId: 'incident/cmp-07/run-1',
  host: 'cmp-07',
  incidentStartedAt: '2026-11-21T20:00:00.000Z',
  phase: 'Evacuating',
  reports: [
    {
      reporter: 'alertmanager',
      count: 1,
      firstReceivedAt: '2026-11-21T20:00:00.000Z',
      lastReceivedAt: '2026-11-21T20:00:00.000Z',
    },
  ],
  reportCount: 1,
  fencing: {
    attempts: 1,
    proof: {
      host: 'cmp-07',
      protocol: 'ipmi',
      bmc: '10.0.0.7:623',
      powerState: 'Off',
      readAt: '2026-11-21T20:00:05.000Z',
      wasAlreadyOff: false,
      attempts: 3,
      elapsedMs: 900,
    },
  },
  instances: [
    {
      instanceId: 'i-1',
      name: 'db|primary',
      progress: {
        outcome: 'landed',
        host: 'cmp-02',
        durationMs: 41_400,
        attempts: 1,
        migrationId: 7,
      },
    },
    { instanceId: 'i-2', name: 'web', progress: { outcome: 'evacuating' } },
    {
      instanceId: 'i-3',
      name: 'scratch',
      progress: { outcome: 'skipped', reason: 'not protected' },
    },
  ],
};

describe('the incident as the Web UI shows it', () => {
  it('tells phase, fencing evidence and one table row per instance, escaping pipes in names', () => {
    expect(progressTable(state)).toBe(
      [
        '**incident/cmp-07/run-1** — phase **Evacuating**',
        '',
        'Fencing: power read back Off via ipmi at 2026-11-21T20:00:05.000Z; reports: 1',
        '',
        '| Instance | Name | Outcome | Details |',
        '|---|---|---|---|',
        '| i-1 | db\\|primary | landed | on cmp-02 after 41 s (1 evacuation) |',
        '| i-2 | web | evacuating | evacuating |',
        '| i-3 | scratch | skipped | not protected |',
      ].join('\n'),
    );
  });

  it('names the operator who confirmed manual fencing', () => {
    const confirmed = {
      ...state,
      fencing: {
        attempts: 1,
        confirmedBy: { operator: 'alice', reason: 'PDU off', at: '2026-11-21T20:10:00.000Z' },
      },
    };
    expect(progressTable(confirmed)).toContain('Fencing: confirmed manually by alice: PDU off;');
  });

  it('closes Recovered when nothing failed, skipped instances included, and PartiallyRecovered when one failed', () => {
    expect(incidentOutcome(state)).toBe('Recovered');
    const failed = {
      ...state,
      instances: [
        ...state.instances,
        {
          instanceId: 'i-4',
          name: 'cache',
          progress: { outcome: 'failed', reason: 'NoValidHost', attempts: 3 },
        } as const,
      ],
    };
    expect(incidentOutcome(failed)).toBe('PartiallyRecovered');
  });
});
