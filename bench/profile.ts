// Where Lazarus's time goes, from timestamps only (no sampling): the server's start and close times
// of the incident and evacuation workflows, the fencing proof, and the cloud's records of when each
// evacuate was accepted and each instance landed. Real milliseconds.
import { median } from './statistics.ts';

export interface EvacuationTimes {
  /** The evacuation child workflow started. */
  startedAt: number;
  /** Nova accepted its evacuate. */
  acceptedAt: number;
  /** Nova recorded the evacuation done. */
  landedAt: number;
  /** The child closed: the landing verified. */
  closedAt: number;
}

export interface Profile {
  reportToIncidentMs: number;
  incidentToFencingProofMs: number;
  fencingProofToFirstEvacuationMs: number;
  /** Medians over evacuations. */
  evacuationToAcceptedMs: number;
  acceptedToLandedMs: number;
  landedToVerifiedMs: number;
  /** From a verified landing to the next evacuation workflow starting in the freed slot. */
  slotTurnoverMs: number;
}

export interface ProfileInput {
  reportedAt: number;
  incidentsStartedAt: readonly number[];
  fencingProofsAt: readonly number[];
  evacuations: readonly EvacuationTimes[];
}

export function profileOf(input: ProfileInput): Profile {
  const { evacuations } = input;
  const lastIncidentStart = Math.max(...input.incidentsStartedAt);
  const lastProof = Math.max(...input.fencingProofsAt);
  const closes = evacuations.map((e) => e.closedAt).sort((a, b) => a - b);
  // A child that starts after some closed took the slot of the latest one closed before it.
  const turnovers = evacuations.flatMap((e) => {
    const freedAt = closes.filter((closedAt) => closedAt <= e.startedAt).at(-1);
    return freedAt === undefined ? [] : [e.startedAt - freedAt];
  });
  return {
    reportToIncidentMs: lastIncidentStart - input.reportedAt,
    incidentToFencingProofMs: lastProof - lastIncidentStart,
    fencingProofToFirstEvacuationMs: Math.min(...evacuations.map((e) => e.startedAt)) - lastProof,
    evacuationToAcceptedMs: median(evacuations.map((e) => e.acceptedAt - e.startedAt)),
    acceptedToLandedMs: median(evacuations.map((e) => e.landedAt - e.acceptedAt)),
    landedToVerifiedMs: median(evacuations.map((e) => e.closedAt - e.landedAt)),
    slotTurnoverMs: turnovers.length === 0 ? 0 : median(turnovers),
  };
}
