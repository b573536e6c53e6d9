// How an incident shows itself to operators: the Web UI's current details (a markdown table of
// per-instance progress) and the outcome an incident closes with. Pure, so it is unit-tested.
import type {
  IncidentOutcome,
  IncidentState,
  InstanceProgress,
} from '../contracts/incident-messages.ts';
import { describeWaiting } from './outage-waits.ts';
import { describeFencingProof } from './fencing-summary.ts';

export function describeProgress(progress: InstanceProgress, host: string): string {
  switch (progress.outcome) {
    case 'planned':
      return progress.waitingForCapacity ?? 'waiting for a slot';
    case 'evacuating':
      return progress.waiting === undefined
        ? 'evacuating'
        : describeWaiting(progress.waiting, host);
    case 'skipped':
    case 'notStarted':
    case 'cancelled':
      return progress.reason;
    case 'landed': {
      const how =
        progress.foundInNova === undefined
          ? `${progress.attempts} evacuation${progress.attempts === 1 ? '' : 's'}`
          : `evacuation found in Nova, request ${progress.foundInNova.requestId ?? 'without id'}`;
      return `on ${progress.host} after ${Math.round(progress.durationMs / 1000)} s (${how})`;
    }
    case 'alreadyEvacuated':
      return `on ${progress.host ?? 'no host'}, moved by ${progress.by}`;
    case 'failed':
      return progress.reason;
  }
}

/** Why each instance that waits for room on other hosts waits (capacity-gate.ts), in plan order. */
export function capacityWaits(state: Pick<IncidentState, 'instances'>): string[] {
  return state.instances.flatMap((row) =>
    row.progress.outcome === 'planned' && row.progress.waitingForCapacity !== undefined
      ? [row.progress.waitingForCapacity]
      : [],
  );
}

/** Markdown cells must not break the table. */
export const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function progressTable(state: IncidentState): string {
  const fencing =
    state.fencing.proof !== undefined
      ? describeFencingProof(state.fencing.proof)
      : state.fencing.confirmedBy !== undefined
        ? `confirmed manually by ${state.fencing.confirmedBy.operator}: ${state.fencing.confirmedBy.reason}`
        : (state.fencing.unprovenReason ?? 'in progress');
  const lines = [
    `**${state.incidentId}** — phase **${state.phase}**${state.outcome === undefined ? '' : `, outcome **${state.outcome}**`}`,
    '',
    `Fencing: ${cell(fencing)}; reports: ${state.reportCount}`,
    ...(state.waiting === undefined
      ? []
      : ['', `**Waiting**: ${cell(describeWaiting(state.waiting, state.host))}`]),
    ...(state.admission?.noAutomaticReadmissionBecause === undefined
      ? []
      : [
          '',
          `**No automatic re-admission**: ${cell(state.admission.noAutomaticReadmissionBecause)}`,
        ]),
    '',
    '| Instance | Name | Outcome | Details |',
    '|---|---|---|---|',
    ...state.instances.map(
      (row) =>
        `| ${row.instanceId} | ${cell(row.name)} | ${row.progress.outcome} | ${cell(describeProgress(row.progress, state.host))} |`,
    ),
  ];
  return lines.join('\n');
}

/** Recovered when every planned instance is on another host; skipped ones were decided by policy. */
export function incidentOutcome(state: IncidentState): IncidentOutcome {
  return state.instances.some(
    (row) => row.progress.outcome === 'failed' || row.progress.outcome === 'cancelled',
  )
    ? 'PartiallyRecovered'
    : 'Recovered';
}
