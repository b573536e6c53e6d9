// How incidents read in a terminal: the list of incidents and one incident's per-instance table.
// Pure, so the wording is unit-tested; JSON output for scripts is the state itself.
import type {
  IncidentState,
  InstanceProgress,
  InstanceRow,
} from '../../../contracts/incident-messages.ts';
import { alignColumns } from '../text-table.ts';
import { capacityWaits, describeProgress } from '../../../domain/incident-progress.ts';
import { describeWaiting } from '../../../domain/outage-waits.ts';
import { describeReporters } from '../../../domain/incident-reports.ts';
import { describeFencingProof } from '../../../domain/fencing-summary.ts';

/** One line of `lazarus incidents`: the state when the incident answered its query, else what visibility knows. */
export interface IncidentSummary {
  host: string;
  workflowId: string;
  phase: string;
  startedAt: Date;
  state?: IncidentState;
}

const TERMINAL: ReadonlySet<InstanceProgress['outcome']> = new Set([
  'landed',
  'alreadyEvacuated',
  'failed',
  'notStarted',
  'cancelled',
]);

/** Instances to move (skipped ones excluded) and how many of them have a final outcome. */
export function instanceCounts(state: IncidentState): {
  done: number;
  total: number;
  skipped: number;
} {
  const moving = state.instances.filter((row) => row.progress.outcome !== 'skipped');
  return {
    done: moving.filter((row) => TERMINAL.has(row.progress.outcome)).length,
    total: moving.length,
    skipped: state.instances.length - moving.length,
  };
}

const AFTER_EVACUATION: ReadonlySet<string> = new Set([
  'AwaitingReadmission',
  'Readmitting',
  'Readmitted',
  'Reported',
]);

/** The evacuations are over and every planned instance has its final outcome (the host may still await re-admission). */
export function isRecoveryFinished(state: IncidentState): boolean {
  const { done, total } = instanceCounts(state);
  return AFTER_EVACUATION.has(state.phase) && done === total;
}

export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d`;
}

/** What an operator is waiting on, in a few words. */
function waitingFor(state: IncidentState | undefined): string {
  if (state === undefined) return 'no answer from the incident (is a worker running?)';
  if (state.waiting !== undefined) return describeWaiting(state.waiting, state.host);
  const waitingEvacuations = state.instances.filter(
    (row) => row.progress.outcome === 'evacuating' && row.progress.waiting !== undefined,
  ).length;
  const waitingForRoom = capacityWaits(state);
  if (waitingForRoom.length > 0)
    return `room on other hosts for ${waitingForRoom.length} instance${waitingForRoom.length === 1 ? '' : 's'} (the first: ${waitingForRoom[0] ?? ''}); they go once it appears, or temporal workflow cancel`;
  if (waitingEvacuations > 0) {
    return `Nova or Keystone, for ${waitingEvacuations} evacuation${waitingEvacuations === 1 ? '' : 's'} (lazarus show ${state.host}; retry now with: lazarus retry ${state.host})`;
  }
  switch (state.phase) {
    case 'FencingUnproven':
      return `an operator: ${state.fencing.unprovenReason ?? 'fencing unproven'}`;
    case 'AwaitingApproval':
      return `lazarus approve ${state.host}: ${state.admission?.heldBecause ?? 'held by the storm guard'}`;
    case 'Corroborating':
      return state.corroboration?.missing.join('; ') ?? 'corroboration';
    case 'AwaitingReadmission':
      return (
        state.admission?.noAutomaticReadmissionBecause ??
        `lazarus readmit ${state.host} once it is repaired`
      );
    default:
      return '-';
  }
}

export function incidentsTable(incidents: readonly IncidentSummary[], now: Date): string {
  if (incidents.length === 0) return 'no open incidents';
  const counts = (state: IncidentState | undefined): string => {
    if (state === undefined) return '?';
    const { done, total, skipped } = instanceCounts(state);
    return `${done}/${total}${skipped === 0 ? '' : ` (+${skipped} skipped)`}`;
  };
  return alignColumns([
    ['HOST', 'PHASE', 'INSTANCES', 'AGE', 'WAITING FOR'],
    ...incidents.map((incident) => [
      incident.host,
      incident.state?.phase ?? incident.phase,
      counts(incident.state),
      formatAge(now.getTime() - incident.startedAt.getTime()),
      waitingFor(incident.state),
    ]),
  ]).join('\n');
}

function where(progress: InstanceProgress): string {
  if (progress.outcome === 'landed') return progress.host;
  if (progress.outcome === 'alreadyEvacuated') return progress.host ?? '?';
  return '-';
}

/** `lazarus show` words landings and failures for a terminal; the rest reads as in the Web UI. */
function details(progress: InstanceProgress, host: string): string {
  switch (progress.outcome) {
    case 'landed':
      return (
        `verified after ${Math.round(progress.durationMs / 1000)} s, ${progress.attempts} evacuation${progress.attempts === 1 ? '' : 's'}` +
        (progress.foundInNova === undefined
          ? ''
          : `, found in Nova (request ${progress.foundInNova.requestId ?? 'without id'})`)
      );
    case 'alreadyEvacuated':
      return `moved by ${progress.by}`;
    case 'failed':
      return `${progress.reason} (${progress.attempts} attempts)`;
    default:
      return describeProgress(progress, host);
  }
}

export function instancesTable(rows: readonly InstanceRow[], host: string): string[] {
  return alignColumns([
    ['INSTANCE', 'NAME', 'OUTCOME', 'NOW ON', 'DETAILS'],
    ...rows.map((row) => [
      row.instanceId,
      row.name,
      row.progress.outcome,
      where(row.progress),
      details(row.progress, host),
    ]),
  ]);
}

/** `lazarus show <host>`: the incident's header, fencing, and the per-instance table. */
export function incidentReport(state: IncidentState): string {
  const { done, total, skipped } = instanceCounts(state);
  const fencing =
    state.fencing.proof !== undefined
      ? describeFencingProof(state.fencing.proof)
      : state.fencing.confirmedBy !== undefined
        ? `confirmed by ${state.fencing.confirmedBy.operator} at ${state.fencing.confirmedBy.at}: ${state.fencing.confirmedBy.reason}`
        : (state.fencing.unprovenReason ??
          (state.fencing.attempts === 0 ? 'not started' : 'in progress'));
  const lines = [
    `incident  ${state.incidentId}`,
    `host      ${state.host}`,
    `phase     ${state.phase}${state.outcome === undefined ? '' : ` (outcome ${state.outcome})`}`,
    `started   ${state.incidentStartedAt}`,
    `reports   ${describeReporters(state.reports) || '-'}`,
    `fencing   ${fencing}`,
    `progress  ${done}/${total} instances done${skipped === 0 ? '' : `, ${skipped} skipped by policy`}`,
    ...(state.waiting === undefined
      ? []
      : [`waiting   ${describeWaiting(state.waiting, state.host)}`]),
  ];
  if (state.instances.length > 0) lines.push('', ...instancesTable(state.instances, state.host));
  return lines.join('\n');
}
