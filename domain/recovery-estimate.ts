// How long recovering a host would take, estimated before it fails: `lazarus drill`'s RTO line.
// An estimate from measured figures, not a promise; it says what it is based on.

/** The figures an estimate is made of, in seconds, and where they were measured. */
export interface RecoveryFigures {
  /** For people: where the figures come from. */
  basis: string;
  /** From the report to the first evacuate sent: incident, fencing proof, force-down, listing. */
  toFirstEvacuateSeconds: number;
  /** Nova's control plane per evacuation, taken one after another. */
  secondsPerEvacuation: number;
  /** The last instance's rebuild on its destination. */
  rebuildSeconds: number;
  /** From the last landing in Nova to Lazarus having verified it. */
  toVerifiedSeconds: number;
}

/**
 * `npm run bench`'s single-host scenarios (bench/results/2026-12-08.md: 1x10, 1x100 and 1x400
 * recovered in 30.6, 121.8 and 420.0 s; these figures give 30.5, 120.5 and 420.5): 3.8 s to the
 * first evacuate, one evacuation scheduled a second as the real-Nova tier measured
 * (bench/results/nova-capacity-2026-12-07.md, 0.85 to 1.46 a second), the bench's 15 s rebuild
 * on a real hypervisor, 1.7 s to verify the last landing.
 */
export const BENCH_FIGURES: RecoveryFigures = {
  basis:
    "the bench's figures (bench/results/2026-12-08.md): 3.8 s to the first evacuate, Nova scheduling one evacuation a second, a 15 s rebuild, 1.7 s to verify",
  toFirstEvacuateSeconds: 3.8,
  secondsPerEvacuation: 1,
  rebuildSeconds: 15,
  toVerifiedSeconds: 1.7,
};

export interface RecoveryEstimate {
  /** Report to the last instance verified; fencing alone when there is nothing to evacuate. */
  seconds: number;
  basis: string;
}

export function estimateRecovery(evacuations: number, figures: RecoveryFigures): RecoveryEstimate {
  const seconds =
    evacuations === 0
      ? figures.toFirstEvacuateSeconds
      : figures.toFirstEvacuateSeconds +
        evacuations * figures.secondsPerEvacuation +
        figures.rebuildSeconds +
        figures.toVerifiedSeconds;
  return { seconds: Math.round(seconds), basis: figures.basis };
}

/** "about 2 min 4 s": rounded as an estimate should be read. */
export function describeDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}
