// A run's verdict from what took effect (the simulator's ledger and final state) and what the
// incidents say of themselves (their `state` query): I1, I2 and I4 (docs/design.md#invariants) over
// the ledger, I3 over each incident's table against the hosts that failed, and every incident
// closed or visibly waiting for an operator. Pure, so each kind of violation is unit-tested on
// synthetic data.
import { checkInvariants } from '../simulator/ledger/invariants.ts';
import type { LedgerEntry } from '../simulator/ledger/ledger.ts';
import type { IncidentState } from '../contracts/incident-messages.ts';

/** `harness`: the run itself could not be carried out (a process did not start); no verdict on Lazarus, but no pass either. */
export type ChaosInvariant = 'I1' | 'I2' | 'I3' | 'I4' | 'I9' | 'I10' | 'harness';

export interface ChaosViolation {
  invariant: ChaosInvariant;
  message: string;
}

export interface IncidentObservation {
  workflowId: string;
  runId: string;
  /** Temporal's execution status name: RUNNING, COMPLETED, CANCELLED, TERMINATED, FAILED, TIMED_OUT… */
  status: string;
  /** What the `state` query answered; absent when it could not be read. */
  state?: IncidentState;
}

export interface FailedHost {
  host: string;
  /** The instances Nova placed on it when it failed. */
  instances: readonly string[];
}

/** A human's evacuate through Nova's API, not Lazarus's: a second one it causes is not Lazarus's. */
export interface SomeoneElsesEvacuation {
  instance: string;
  /** When Nova's answer arrived; null when it was lost. */
  requestId: string | null;
  /** The ledger's last sequence number before the request was sent, and after its answer came. */
  afterSeq: number;
  untilSeq: number;
}

/** An incident an operator aborted: nothing may act on its host afterwards, and its reports are suppressed. */
export interface AbortedIncident {
  host: string;
  runId: string;
  /** The ledger's length when the abort was answered: what the ledger records later came after it. */
  afterSeq: number;
  /** The harness's clock when the abort was answered (the ledger may not move between two reports). */
  at: number;
}

/** A report and how it was answered; `sentAt` is the harness's clock when it was sent. */
export type AnsweredReport = { host: string; sentAt: number } & (
  { answer: 'started' | 'joined'; runId: string } | { answer: 'suppressed'; because: string }
);

export interface RunObservations {
  ledger: readonly LedgerEntry[];
  failedHosts: readonly FailedHost[];
  incidents: readonly IncidentObservation[];
  finalInstances: readonly { uuid: string; host: string | null }[];
  migrations: readonly { id: number; status: string; source: string }[];
  someoneElse: readonly SomeoneElsesEvacuation[];
  /** Evacuation workflows that ended Failed or TimedOut (terminated or cancelled ones are an operator's doing). */
  failedEvacuations: readonly string[];
  aborts: readonly AbortedIncident[];
  reports: readonly AnsweredReport[];
  /** Operators' Updates that got no answer in time. */
  unansweredUpdates: readonly string[];
}

/** Closed for good, or closed by reporting (incidents before re-admission existed). */
export const CLOSED_PHASES: ReadonlySet<string> = new Set([
  'Readmitted',
  'Reported',
  'Aborted',
  'NotCorroborated',
]);
/** Waiting, visibly, for an operator's decision. */
export const WAITING_PHASES: ReadonlySet<string> = new Set([
  'AwaitingReadmission',
  'FencingUnproven',
  'AwaitingApproval',
]);
/** Phases in which no instance has been selected yet, so an empty table is no loss. */
const BEFORE_SELECTION: ReadonlySet<string> = new Set([
  'Corroborating',
  'Admitting',
  'AwaitingApproval',
  'Fencing',
  'FencingUnproven',
  'Aborted',
  'NotCorroborated',
]);
const LANDED_MIGRATION: ReadonlySet<string> = new Set(['done', 'completed']);

export function judgeRun(run: RunObservations): ChaosViolation[] {
  return [
    ...ledgerViolations(run),
    ...run.failedEvacuations.map((workflowId) => ({
      invariant: 'I9' as const,
      message: `evacuation workflow ${workflowId} ended Failed or TimedOut, which no evacuation does by Lazarus's own doing`,
    })),
    ...run.unansweredUpdates.map((what) => ({
      invariant: 'I9' as const,
      message: `the operator's ${what} got no answer: the Update was accepted and left waiting`,
    })),
    ...run.incidents.flatMap((incident) => incidentViolations(incident, run)),
    ...missingInstances(run),
    ...run.aborts.flatMap((aborted) => ignoredAbort(aborted, run)),
  ];
}

/** Runs an operator would not look at: replaced by a reset (terminated) or by a continue-as-new. */
const REPLACED: ReadonlySet<string> = new Set(['TERMINATED', 'CONTINUED_AS_NEW']);

/** The incidents an operator would look at: every run not replaced by a reset or a continue-as-new. */
export function liveIncidents(run: Pick<RunObservations, 'incidents'>): IncidentObservation[] {
  return run.incidents.filter((incident) => !REPLACED.has(incident.status));
}

/**
 * After an operator's abort, the host's reports are suppressed (or join the aborted run while it
 * closes) and nothing fences, forces down or evacuates it (docs/design.md#suppression-after-an-abort).
 */
function ignoredAbort(aborted: AbortedIncident, run: RunObservations): ChaosViolation[] {
  const { host, runId, afterSeq } = aborted;
  const started = run.reports.filter(
    (report) =>
      report.host === host &&
      report.sentAt > aborted.at &&
      report.answer === 'started' &&
      report.runId !== runId,
  );
  const actedOn = run.ledger.filter(
    (entry) =>
      entry.seq > afterSeq &&
      ((entry.kind === 'power' &&
        entry.host === host &&
        entry.state === 'Off' &&
        entry.via !== 'sim-admin') ||
        (entry.kind === 'service-update' && entry.host === host && entry.forcedDown === true) ||
        (entry.kind === 'evacuate' && entry.sourceHost === host)),
  );
  return [
    ...started.map((report) => ({
      invariant: 'I10' as const,
      message: `a report of ${host} after the operator aborted run ${runId} started run ${'runId' in report ? report.runId : '?'} instead of being suppressed`,
    })),
    ...actedOn.map((entry) => ({
      invariant: 'I10' as const,
      message: `${host} was acted on (${entry.kind}, ledger entry ${entry.seq}) after the operator aborted run ${runId}`,
    })),
  ];
}

function ledgerViolations(run: RunObservations): ChaosViolation[] {
  const bySeq = new Map(run.ledger.map((entry) => [entry.seq, entry]));
  return checkInvariants(run.ledger)
    .filter(
      (violation) =>
        violation.invariant !== 'I2' ||
        !isSomeoneElses(bySeq.get(violation.entries.at(-1) ?? -1), run.someoneElse),
    )
    .map((violation) => ({
      invariant: violation.invariant,
      message: `${violation.message} (ledger entries ${violation.entries.join(', ')})`,
    }));
}

function isSomeoneElses(
  entry: LedgerEntry | undefined,
  evacuations: readonly SomeoneElsesEvacuation[],
): boolean {
  if (entry?.kind !== 'evacuate') return false;
  return evacuations.some(
    (human) =>
      human.instance === entry.instance &&
      (human.requestId === entry.requestId ||
        (human.requestId === null && entry.seq > human.afterSeq && entry.seq <= human.untilSeq)),
  );
}

function incidentViolations(incident: IncidentObservation, run: RunObservations): ChaosViolation[] {
  const name = `${incident.workflowId} (run ${incident.runId})`;
  if (REPLACED.has(incident.status) || incident.status === 'CANCELLED') return [];
  if (incident.status !== 'RUNNING' && incident.status !== 'COMPLETED')
    return [{ invariant: 'I9', message: `${name} ended ${incident.status}` }];
  const { state } = incident;
  if (state === undefined)
    return [
      {
        invariant: 'I9',
        message: `${name} is ${incident.status} but its state could not be read`,
      },
    ];
  const violations: ChaosViolation[] = [];
  const expected = incident.status === 'RUNNING' ? WAITING_PHASES : CLOSED_PHASES;
  if (!expected.has(state.phase)) {
    violations.push({
      invariant: 'I9',
      message: `${name} is ${incident.status} in phase ${state.phase}, neither closed nor waiting for an operator`,
    });
  }
  for (const row of state.instances) {
    const problem = rowProblem(row, state.host, run);
    if (problem !== undefined)
      violations.push({
        invariant: 'I3',
        message: `${name}: instance ${row.instanceId} ${problem}`,
      });
  }
  return violations;
}

function rowProblem(
  row: IncidentState['instances'][number],
  source: string,
  run: RunObservations,
): string | undefined {
  const { progress } = row;
  const where = run.finalInstances.find((instance) => instance.uuid === row.instanceId)?.host;
  switch (progress.outcome) {
    case 'planned':
    case 'evacuating':
      return `was left "${progress.outcome}"`;
    case 'landed': {
      const migration = run.migrations.find((m) => m.id === progress.migrationId);
      if (
        migration === undefined ||
        !LANDED_MIGRATION.has(migration.status) ||
        migration.source !== source
      ) {
        return `is reported landed by migration ${progress.migrationId}, which Nova shows ${migration === undefined ? 'nowhere' : `"${migration.status}" from ${migration.source}`}`;
      }
      return where === source
        ? `is reported landed but Nova still places it on ${source}`
        : undefined;
    }
    case 'alreadyEvacuated':
      return where === source
        ? `is reported already evacuated but Nova still places it on ${source}`
        : undefined;
    case 'failed':
    case 'skipped':
    case 'notStarted':
    case 'cancelled':
      return progress.reason.trim() === ''
        ? `is "${progress.outcome}" without a reason`
        : undefined;
  }
}

/**
 * Every instance of a failed host is in an incident's table, or no longer on that host
 * (docs/design.md#i3-nothing-silently-lost).
 */
function missingInstances(run: RunObservations): ChaosViolation[] {
  const incidents = liveIncidents(run);
  return run.failedHosts.flatMap(({ host, instances }): ChaosViolation[] => {
    const ofHost = incidents.filter((incident) => incident.workflowId.endsWith(`/${host}`));
    if (ofHost.length === 0)
      return [
        {
          invariant: 'I10',
          message: `host ${host} failed and was reported, but no incident of it exists`,
        },
      ];
    const hasSelected = ofHost.some(
      (incident) =>
        incident.status !== 'CANCELLED' &&
        !BEFORE_SELECTION.has(incident.state?.phase ?? 'Fencing'),
    );
    if (!hasSelected) return [];
    const listed = new Set(
      ofHost.flatMap((incident) => incident.state?.instances.map((row) => row.instanceId) ?? []),
    );
    return instances
      .filter(
        (uuid) =>
          !listed.has(uuid) &&
          run.finalInstances.find((instance) => instance.uuid === uuid)?.host === host,
      )
      .map((uuid) => ({
        invariant: 'I3',
        message: `instance ${uuid} was on ${host} when it failed, is still there, and is in no incident's table`,
      }));
  });
}
