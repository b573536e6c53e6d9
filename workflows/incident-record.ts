// The incident's record: its state (the result and the `state` query), its phase and outcome as
// search attributes, its progress table as the Web UI's current details, and reports joining it.
import {
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OperatorChoice } from './fencing-with-operator.ts';
import type {
  HostReport,
  IncidentInput,
  IncidentOutcome,
  IncidentPhase,
  IncidentState,
  InstanceProgress,
} from '../contracts/incident-messages.ts';
import { reportSignal, stateQuery } from '../contracts/incident-messages.ts';
import { progressTable } from '../domain/incident-progress.ts';
import { recordReport } from '../domain/incident-reports.ts';
import {
  LazarusHost,
  LazarusIncident,
  LazarusOutcome,
  LazarusPhase,
} from '../contracts/search-attributes.ts';

export interface Incident {
  readonly state: IncidentState;
  enter(phase: IncidentPhase): void;
  track(instanceId: string, progress: InstanceProgress): void;
  /** Redraws the Web UI's current details after a change the other methods do not make. */
  show(): void;
  /** The outcome is known (and searchable); the incident may still wait, for re-admission. */
  conclude(outcome: IncidentOutcome): void;
  /** Concludes and ends in the closing phase: Aborted for an aborted incident, else Reported. */
  close(outcome: IncidentOutcome): IncidentState;
  /** What the operator chose while fencing was unproven; cleared when the incident waits again. */
  choice: OperatorChoice | undefined;
}

export const now = (): string => new Date().toISOString();

/**
 * The incident's state, handlers and search attributes, before any step runs; or, in a run
 * continued as new, those it carried.
 */
export function openIncident(input: IncidentInput, firstPhase: IncidentPhase): Incident {
  const info = workflowInfo();
  // originalExecutionRunId and startTime survive a reset, so a reset incident keeps its id and
  // window, and derives the same evacuation IDs (the first line of docs/design.md#i2-exactly-once).
  // A run continued as new has other ones, so it takes them from the state it carries.
  const state: IncidentState = input.carried ?? {
    incidentId: `${info.workflowId}/${info.originalExecutionRunId}`,
    host: input.host,
    incidentStartedAt: info.startTime.toISOString(),
    phase: firstPhase,
    reports: [],
    reportCount: 0,
    fencing: { attempts: 0 },
    instances: [],
  };
  const { incidentId } = state;
  const receive = (report: HostReport): void => {
    recordReport(state.reports, report, now());
    state.reportCount += 1;
  };
  // A run continued as new counted the input's reporter already: it is in the carried reports.
  if (input.reporter !== undefined && input.carried === undefined)
    receive({
      reporter: input.reporter,
      ...(input.reportedAt === undefined ? {} : { reportedAt: input.reportedAt }),
    });
  const show = (): void => {
    setCurrentDetails(progressTable(state));
  };
  const incident: Incident = {
    state,
    choice: undefined,
    enter(phase) {
      state.phase = phase;
      upsertSearchAttributes([{ key: LazarusPhase, value: phase }]);
      show();
    },
    track(instanceId, progress) {
      const row = state.instances.find((candidate) => candidate.instanceId === instanceId);
      if (row !== undefined) row.progress = progress;
      show();
    },
    show,
    conclude(outcome) {
      state.outcome = outcome;
      upsertSearchAttributes([{ key: LazarusOutcome, value: outcome }]);
    },
    close(outcome) {
      incident.conclude(outcome);
      incident.enter(
        outcome === 'Aborted'
          ? 'Aborted'
          : outcome === 'NotCorroborated'
            ? 'NotCorroborated'
            : 'Reported',
      );
      return state;
    },
  };
  upsertSearchAttributes([
    { key: LazarusHost, value: input.host },
    { key: LazarusIncident, value: incidentId },
  ]);
  if (state.outcome !== undefined) incident.conclude(state.outcome);
  incident.enter(firstPhase);
  setHandler(stateQuery, () => state);
  setHandler(reportSignal, (report) => {
    receive(report);
    show();
  });
  return incident;
}
