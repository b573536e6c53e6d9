// Where Lazarus's time goes, from timestamps only (no sampling): the server's start and close times
// of the incident and evacuation workflows, the fencing proof, and the cloud's records of when each
// evacuate was accepted and each instance landed, in milliseconds of the cloud.
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
  /** The critical path: from the first evacuation started to the last instance landed in Nova. */
  firstEvacuationToLastLandedMs: number;
  /** From the last landing in Nova to the last evacuation closed: how soon the last one was seen. */
  lastLandedToLastVerifiedMs: number;
}

export interface ProfileInput {
  reportedAt: number;
  incidentsStartedAt: readonly number[];
  fencingProofsAt: readonly number[];
  evacuations: readonly EvacuationTimes[];
}

/** `scale` turns the run's real milliseconds into its cloud's. */
export function profileOf(scale: number, input: ProfileInput): Profile {
  const { evacuations } = input;
  const lastIncidentStart = Math.max(...input.incidentsStartedAt);
  const lastProof = Math.max(...input.fencingProofsAt);
  const firstEvacuation = Math.min(...evacuations.map((e) => e.startedAt));
  const lastLanded = Math.max(...evacuations.map((e) => e.landedAt));
  const profile: Profile = {
    reportToIncidentMs: lastIncidentStart - input.reportedAt,
    incidentToFencingProofMs: lastProof - lastIncidentStart,
    fencingProofToFirstEvacuationMs: firstEvacuation - lastProof,
    evacuationToAcceptedMs: median(evacuations.map((e) => e.acceptedAt - e.startedAt)),
    acceptedToLandedMs: median(evacuations.map((e) => e.landedAt - e.acceptedAt)),
    landedToVerifiedMs: median(evacuations.map((e) => e.closedAt - e.landedAt)),
    firstEvacuationToLastLandedMs: lastLanded - firstEvacuation,
    lastLandedToLastVerifiedMs: Math.max(...evacuations.map((e) => e.closedAt)) - lastLanded,
  };
  return Object.fromEntries(
    Object.entries(profile).map(([step, ms]) => [step, ms * scale]),
  ) as unknown as Profile;
}
