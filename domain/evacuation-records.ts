// Pure decisions about one instance's evacuation, shared by the activities that read Nova and by the
// workflows that decide what to do next: does Nova already hold an evacuation of this instance for
// this incident, what status must it end in, and has it landed. No I/O, so a workflow may import it.

/** The fields of a Nova migration record (`GET /os-migrations`) these decisions use. */
export interface EvacuationRecord {
  id: number;
  instanceId: string;
  migrationType: string;
  /** accepted → pre-migrating → done → completed, or error / failed (docs/nova-and-bmc-facts.md#migration-statuses). */
  status: string;
  sourceCompute: string | null;
  destCompute: string | null;
  /** ISO 8601. */
  createdAt: string;
}

/**
 * How far before the incident's start an evacuation still counts as this incident's. The incident
 * starts on the worker's clock and migrations are stamped by Nova's; without this margin a Nova
 * clock a few seconds behind would hide our own fresh evacuation and invite a second one, which
 * Nova accepts and which damages the instance
 * (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate).
 */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;

/** The `changes-since` of the migrations query: the incident's start, less the clock-skew margin. */
export function evacuationWindowStart(incidentStartedAt: string): string {
  return new Date(Date.parse(incidentStartedAt) - CLOCK_SKEW_MARGIN_MS).toISOString();
}

const IN_PROGRESS = new Set(['accepted', 'pre-migrating']);
const FINISHED = new Set(['done', 'completed']);
const FAILED = new Set(['error', 'failed']);

export type ExistingEvacuation<M extends EvacuationRecord = EvacuationRecord> =
  | { kind: 'none' }
  /** accepted or pre-migrating: Nova is evacuating it now. */
  | { kind: 'inProgress'; migration: M }
  /** done or completed: it was rebuilt elsewhere. */
  | { kind: 'finished'; migration: M }
  /** error or failed, and not the one the caller is retrying after. */
  | { kind: 'failed'; migration: M };

export interface EvacuationQuery {
  instanceId: string;
  sourceHost: string;
  incidentStartedAt: string;
  /**
   * The failed evacuation the workflow decided to retry after: only that record stops counting, so
   * replaying the decision cannot send a second evacuate once the retry's own record exists.
   */
  retryAfterMigrationId?: number;
}

/**
 * The newest evacuation of this instance away from this source host since the incident began, as
 * Nova recorded it — whoever sent it (Lazarus before a lost answer or a crash, or a human). An
 * evacuation from another host (an earlier incident that moved the instance here) does not count.
 */
export function existingEvacuation<M extends EvacuationRecord>(
  migrations: readonly M[],
  query: EvacuationQuery,
): ExistingEvacuation<M> {
  const since = Date.parse(evacuationWindowStart(query.incidentStartedAt));
  const newest = migrations
    .filter(
      (m) =>
        m.migrationType === 'evacuation' &&
        m.instanceId === query.instanceId &&
        m.sourceCompute === query.sourceHost &&
        Date.parse(m.createdAt) >= since,
    )
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id)[0];
  if (newest === undefined || newest.id === query.retryAfterMigrationId) return { kind: 'none' };
  if (IN_PROGRESS.has(newest.status)) return { kind: 'inProgress', migration: newest };
  if (FINISHED.has(newest.status)) return { kind: 'finished', migration: newest };
  if (FAILED.has(newest.status)) return { kind: 'failed', migration: newest };
  // A status this code does not know: treat it as in progress, the one reading that never re-sends.
  return { kind: 'inProgress', migration: newest };
}

export type StatusAfterEvacuation = 'ACTIVE' | 'SHUTOFF';

/**
 * The status an evacuated instance must end in
 * (docs/nova-and-bmc-facts.md#power-state-after-evacuation): below 2.95 it keeps its power state
 * (SHUTOFF stays SHUTOFF); from 2.95 Nova stops it on the destination. An ERROR instance is rebuilt
 * and ends ACTIVE at every microversion (compute/manager.py skips target_state for ERROR).
 */
export function expectedStatusAfterEvacuation(
  statusBefore: string,
  doesEvacuateStopInstances: boolean,
): StatusAfterEvacuation {
  if (statusBefore === 'ERROR') return 'ACTIVE';
  if (statusBefore === 'SHUTOFF' || doesEvacuateStopInstances) return 'SHUTOFF';
  return 'ACTIVE';
}

/** What Nova shows of the instance when landing is judged. */
export interface InstanceAfterEvacuation {
  host: string | null;
  status: string;
  taskState: string | null;
  /** The fault Nova recorded when it put the instance in ERROR. */
  faultMessage: string | null;
}

export type Landing<M extends EvacuationRecord = EvacuationRecord> =
  | { verdict: 'landed'; migration: M; host: string }
  | { verdict: 'inProgress'; waitingFor: string }
  | { verdict: 'failed'; reason: string };

/**
 * "Landed" is all of: migration done (or completed), task_state cleared, host changed, expected
 * status (docs/nova-and-bmc-facts.md#landing-proof). Nova sets the status, then the host, then
 * marks the migration done, so once the migration is done a wrong host or status is a failure, not
 * a delay; only a task_state not yet cleared is waited for.
 */
export function judgeLanding<M extends EvacuationRecord>(
  migration: M | undefined,
  instance: InstanceAfterEvacuation,
  sourceHost: string,
  expected: StatusAfterEvacuation,
): Landing<M> {
  const fault = instance.faultMessage === null ? '' : ` (${instance.faultMessage})`;
  if (migration === undefined)
    return {
      verdict: 'failed',
      reason: `Nova has no evacuation of this instance from ${sourceHost} since the incident began`,
    };
  if (FAILED.has(migration.status))
    return {
      verdict: 'failed',
      reason: `evacuation migration ${migration.id} ended "${migration.status}"; the instance is ${instance.status}${fault}`,
    };
  if (!FINISHED.has(migration.status))
    return {
      verdict: 'inProgress',
      waitingFor: `migration ${migration.id} to finish (it is "${migration.status}")`,
    };
  if (instance.status === 'ERROR')
    return {
      verdict: 'failed',
      reason: `migration ${migration.id} is done but the instance is in ERROR${fault}`,
    };
  if (instance.host === sourceHost || instance.host === null)
    return {
      verdict: 'failed',
      reason: `migration ${migration.id} is done but Nova places the instance on ${instance.host ?? 'no host'}`,
    };
  if (instance.taskState !== null)
    return { verdict: 'inProgress', waitingFor: `task_state "${instance.taskState}" to clear` };
  if (instance.status !== expected)
    return {
      verdict: 'failed',
      reason: `the instance landed on ${instance.host} but is ${instance.status}, not the expected ${expected}`,
    };
  return { verdict: 'landed', migration, host: instance.host };
}
