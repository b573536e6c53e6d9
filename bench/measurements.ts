// The figures every procedure is judged by, from what the simulated cloud recorded (evacuates
// accepted, landings in Nova) and when the procedure proved fencing and considered itself done.
import type { EvacuateAccepted } from './bench-cloud.ts';

/** Milliseconds of the procedure's cloud from the report (real ones for Lazarus, whose cloud runs in real time). */
export interface RecoveryTimes {
  /** The slowest host's fencing proof. */
  fencingProofMs: number;
  /** The slowest host's first evacuate accepted by Nova. */
  firstEvacuateMs: number;
  /** The last instance landed and known landed by the procedure (for one that never checks: landed in Nova). */
  rtoMs: number;
  /** The last landing Nova recorded, whatever the procedure knows. */
  lastLandingMs: number;
  evacuateCalls: number;
  /** Evacuates accepted per second, from the first to the last. */
  evacuateCallsPerSecond: number;
}

export interface RecoveryEvents {
  reportedAt: number;
  fencingProofsAt: readonly number[];
  evacuates: readonly EvacuateAccepted[];
  recoveredAt: number;
  landings: ReadonlyMap<string, number>;
}

/** `scale` turns the run's real milliseconds into its cloud's (the cloud's time scale). */
export function recoveryTimes(events: RecoveryEvents, scale: number): RecoveryTimes {
  const since = (at: number): number => (at - events.reportedAt) * scale;
  const firstPerHost = new Map<string, number>();
  for (const evacuate of events.evacuates)
    firstPerHost.set(
      evacuate.sourceHost,
      Math.min(firstPerHost.get(evacuate.sourceHost) ?? Infinity, evacuate.at),
    );
  const accepted = events.evacuates.map((evacuate) => evacuate.at);
  const windowMs = since(Math.max(...accepted)) - since(Math.min(...accepted));
  return {
    fencingProofMs: since(Math.max(...events.fencingProofsAt)),
    firstEvacuateMs: since(Math.max(...firstPerHost.values())),
    rtoMs: since(events.recoveredAt),
    lastLandingMs: since(Math.max(...events.landings.values())),
    evacuateCalls: accepted.length,
    evacuateCallsPerSecond: windowMs > 0 ? (accepted.length - 1) / (windowMs / 1000) : Number.NaN,
  };
}
