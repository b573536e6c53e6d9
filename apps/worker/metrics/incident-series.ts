// The per-incident series an alert needs to name the host, the phase and the reason
// (infra/monitoring/lazarus-alerts.yaml). Pure, so the wording and the label set are unit-tested.
//
// An alert's identity is its label set: a reason that changed with every retry (a try count, Nova's
// latest error text) would end the alert and start a new one each time, and leave one more series
// behind in the exporter, which can set a series to 0 but never drop it. So the reason names what
// the incident waits for, in words that stay the same while it waits; `lazarus show HOST` has the
// details.
import type { IncidentPhase, IncidentState } from '../../../contracts/incident-messages.ts';
import type { StormGuardState } from '../../../contracts/storm-guard-messages.ts';
import { capacityWaits } from '../../../domain/incident-progress.ts';
import { WAIT_CAUSES } from '../../../domain/outage-waits.ts';

/** Long enough for a BMC's address and what it answered, short enough for a label and a page. */
export const REASON_MAX_LENGTH = 200;

export interface IncidentSeries {
  tags: { host: string; phase: string; reason: string };
  value: number;
}

export interface HeldSeries {
  tags: { host: string; reason: string };
  value: number;
}

/** One line, at most REASON_MAX_LENGTH characters: Prometheus keeps every distinct value as a series. */
export function reasonLabel(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= REASON_MAX_LENGTH ? line : `${line.slice(0, REASON_MAX_LENGTH - 1)}…`;
}

/** What an incident in a phase does when nothing in its state says more. */
const DOING: Record<IncidentPhase, string> = {
  Corroborating: 'waiting for its corroboration rules to hold',
  Admitting: 'asking the storm guard',
  AwaitingApproval: 'held by the storm guard',
  Fencing: 'powering the host off through its BMC',
  FencingUnproven: 'fencing unproven',
  ForcingDown: 'forcing its nova-compute service down',
  Selecting: 'listing its instances',
  Evacuating: 'evacuating its instances',
  AwaitingReadmission: 'waiting for the repaired host to be re-admitted',
  Readmitting: 're-admitting the host',
  Readmitted: 'closed',
  Reported: 'closed',
  Aborted: 'closed',
  NotCorroborated: 'closed',
};

/** Why the incident is where it is, in words that stay the same while it stays there. */
export function incidentReason(state: IncidentState): string {
  if (state.waiting !== undefined)
    return `waiting to ${state.waiting.step}: ${WAIT_CAUSES[state.waiting.kind]}`;
  if (state.pausedBy !== undefined) return `automation paused by ${state.pausedBy}`;
  if (state.instances.some((row) => row.progress.outcome === 'evacuating' && row.progress.waiting))
    return 'evacuations wait for Nova or Keystone';
  // The figures of what is free change with every look: left out, so the alert holds steady.
  if (capacityWaits(state).length > 0) return 'instances wait for room on other hosts';
  switch (state.phase) {
    case 'FencingUnproven':
      return state.fencing.unprovenReason ?? DOING.FencingUnproven;
    case 'AwaitingApproval':
      return state.admission?.heldBecause ?? DOING.AwaitingApproval;
    case 'Corroborating':
      return state.corroboration?.missing.join('; ') ?? DOING.Corroborating;
    case 'AwaitingReadmission':
    case 'Readmitting':
      return state.readmission?.refusedBecause ?? DOING[state.phase];
    default:
      return DOING[state.phase];
  }
}

/** An open incident: seconds since it started, under its host, phase and reason. */
export function incidentAgeSeries(state: IncidentState, now: Date): IncidentSeries {
  return {
    tags: { host: state.host, phase: state.phase, reason: reasonLabel(incidentReason(state)) },
    value: Math.max(0, (now.getTime() - Date.parse(state.incidentStartedAt)) / 1000),
  };
}

/** An open incident with instances whose evacuation failed: how many, and the first one's reason. */
export function failedInstancesSeries(state: IncidentState): IncidentSeries | undefined {
  const failed = state.instances.flatMap((row) =>
    row.progress.outcome === 'failed' ? [`${row.name}: ${row.progress.reason}`] : [],
  );
  const [first] = failed;
  if (first === undefined) return undefined;
  return {
    tags: { host: state.host, phase: state.phase, reason: reasonLabel(first) },
    value: failed.length,
  };
}

/** Each incident the storm guard holds: seconds since it was held, under its host and the guard's reason. */
export function heldByStormGuardSeries(guard: StormGuardState, now: Date): HeldSeries[] {
  return guard.held.map((held) => ({
    tags: { host: held.host, reason: reasonLabel(held.because) },
    value: Math.max(0, (now.getTime() - Date.parse(held.heldSince)) / 1000),
  }));
}
