import { describe, expect, it } from 'vitest';
import type {
  EvacuationRecord,
  InstanceAfterEvacuation,
} from '../../../domain/evacuation-records.ts';
import {
  existingEvacuation,
  expectedStatusAfterEvacuation,
  judgeLanding,
} from '../../../domain/evacuation-records.ts';

const INCIDENT_STARTED_AT = '2026-11-21T10:00:00.000Z';

function record(id: number, overrides: Partial<EvacuationRecord> = {}): EvacuationRecord {
  return {
    id,
    instanceId: 'vm-1',
    migrationType: 'evacuation',
    status: 'accepted',
    sourceCompute: 'cmp-01',
    destCompute: null,
    createdAt: '2026-11-21T10:00:05.000Z',
    ...overrides,
  };
}

const query = { instanceId: 'vm-1', sourceHost: 'cmp-01', incidentStartedAt: INCIDENT_STARTED_AT };

describe('existingEvacuation', () => {
  it('finds nothing when Nova holds no evacuation of the instance', () => {
    expect(existingEvacuation([], query)).toEqual({ kind: 'none' });
  });

  it('reports the newest evacuation by its status: accepted is in progress, done is finished, error is failed', () => {
    expect(existingEvacuation([record(1, { status: 'pre-migrating' })], query).kind).toBe(
      'inProgress',
    );
    expect(existingEvacuation([record(1, { status: 'completed' })], query).kind).toBe('finished');
    expect(
      existingEvacuation(
        [
          record(1, { status: 'error' }),
          record(2, { status: 'done', createdAt: '2026-11-21T10:01:00.000Z' }),
        ],
        query,
      ),
    ).toMatchObject({ kind: 'finished', migration: { id: 2 } });
  });

  it('ignores other instances, other migration types and evacuations away from another host', () => {
    expect(
      existingEvacuation(
        [
          record(1, { instanceId: 'vm-2' }),
          record(2, { migrationType: 'live-migration' }),
          record(3, { sourceCompute: 'cmp-09', status: 'done' }),
        ],
        query,
      ),
    ).toEqual({ kind: 'none' });
  });

  it('counts an evacuation Nova stamped a little before the incident began, in case its clock runs behind', () => {
    expect(
      existingEvacuation([record(1, { createdAt: '2026-11-21T09:58:00.000Z' })], query).kind,
    ).toBe('inProgress');
    expect(
      existingEvacuation([record(1, { createdAt: '2026-11-21T09:30:00.000Z' })], query).kind,
    ).toBe('none');
  });

  it('stops counting only the failed evacuation the caller is retrying after, not the retry that followed it', () => {
    const failed = record(1, { status: 'error' });
    expect(existingEvacuation([failed], { ...query, retryAfterMigrationId: 1 })).toEqual({
      kind: 'none',
    });
    expect(existingEvacuation([failed], query).kind).toBe('failed');
    const retry = record(2, { createdAt: '2026-11-21T10:02:00.000Z' });
    expect(
      existingEvacuation([retry, failed], { ...query, retryAfterMigrationId: 1 }),
    ).toMatchObject({ kind: 'inProgress', migration: { id: 2 } });
  });

  it('treats a status it does not know as in progress, so it never invites a second evacuate', () => {
    expect(existingEvacuation([record(1, { status: 'queued' })], query).kind).toBe('inProgress');
  });
});

describe('expectedStatusAfterEvacuation', () => {
  it('keeps the power state below 2.95: ACTIVE stays ACTIVE, SHUTOFF stays SHUTOFF', () => {
    expect(expectedStatusAfterEvacuation('ACTIVE', false)).toBe('ACTIVE');
    expect(expectedStatusAfterEvacuation('SHUTOFF', false)).toBe('SHUTOFF');
  });

  it('expects SHUTOFF from 2.95, except for an ERROR instance, which is rebuilt and ends ACTIVE', () => {
    expect(expectedStatusAfterEvacuation('ACTIVE', true)).toBe('SHUTOFF');
    expect(expectedStatusAfterEvacuation('SHUTOFF', true)).toBe('SHUTOFF');
    expect(expectedStatusAfterEvacuation('ERROR', true)).toBe('ACTIVE');
    expect(expectedStatusAfterEvacuation('ERROR', false)).toBe('ACTIVE');
  });
});

describe('judgeLanding', () => {
  const landedInstance: InstanceAfterEvacuation = {
    host: 'cmp-02',
    status: 'ACTIVE',
    taskState: null,
    faultMessage: null,
  };
  const done = record(1, { status: 'done', destCompute: 'cmp-02' });

  it('says landed when the migration is done, the task cleared, the host changed and the status is the expected one', () => {
    expect(judgeLanding(done, landedInstance, 'cmp-01', 'ACTIVE')).toEqual({
      verdict: 'landed',
      migration: done,
      host: 'cmp-02',
    });
  });

  it('waits while the migration is accepted or pre-migrating, or the task_state is still set', () => {
    expect(
      judgeLanding(
        record(1, { status: 'pre-migrating' }),
        { ...landedInstance, host: 'cmp-01', taskState: 'rebuilding' },
        'cmp-01',
        'ACTIVE',
      ),
    ).toMatchObject({
      verdict: 'inProgress',
      waitingFor: expect.stringContaining('pre-migrating') as unknown,
    });
    expect(
      judgeLanding(done, { ...landedInstance, taskState: 'rebuild_spawning' }, 'cmp-01', 'ACTIVE')
        .verdict,
    ).toBe('inProgress');
  });

  it('reports a failed migration with the fault Nova recorded', () => {
    const landing = judgeLanding(
      record(1, { status: 'error' }),
      {
        ...landedInstance,
        host: 'cmp-01',
        status: 'ERROR',
        faultMessage: 'No valid host was found.',
      },
      'cmp-01',
      'ACTIVE',
    );
    expect(landing).toEqual({
      verdict: 'failed',
      reason:
        'evacuation migration 1 ended "error"; the instance is ERROR (No valid host was found.)',
    });
  });

  it('fails a done migration whose instance is in ERROR, still on the source host, or in the wrong status', () => {
    expect(
      judgeLanding(
        done,
        { ...landedInstance, status: 'ERROR', faultMessage: 'already exists' },
        'cmp-01',
        'ACTIVE',
      ),
    ).toMatchObject({
      verdict: 'failed',
      reason: expect.stringContaining('ERROR (already exists)') as unknown,
    });
    expect(
      judgeLanding(done, { ...landedInstance, host: 'cmp-01' }, 'cmp-01', 'ACTIVE'),
    ).toMatchObject({ verdict: 'failed', reason: expect.stringContaining('on cmp-01') as unknown });
    expect(judgeLanding(done, landedInstance, 'cmp-01', 'SHUTOFF')).toMatchObject({
      verdict: 'failed',
      reason: expect.stringContaining('not the expected SHUTOFF') as unknown,
    });
  });

  it('fails when Nova has no evacuation at all', () => {
    expect(judgeLanding(undefined, landedInstance, 'cmp-01', 'ACTIVE').verdict).toBe('failed');
  });
});
