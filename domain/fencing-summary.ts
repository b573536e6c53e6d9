// How a fencing proof reads in `lazarus show` and the Web UI: which device read the power back Off
// and, when the host's first level did not fence it, which level did and why the earlier ones failed
// (docs/design.md#fencing-levels). A proof from the first level reads as it always has.
import type { IncidentState } from '../contracts/incident-messages.ts';

type Proof = NonNullable<IncidentState['fencing']['proof']>;

export function describeFencingProof(proof: Proof): string {
  const readBack = `power read back Off via ${proof.protocol} at ${proof.readAt}`;
  const earlier = proof.earlierLevels ?? [];
  if ((proof.level ?? 1) === 1 && earlier.length === 0) return readBack;
  const failures = earlier.map(
    ({ level, describedAs, type }) => `level ${level} ${describedAs} failed: ${type}`,
  );
  return `${readBack} (level ${proof.level ?? 1}, ${proof.device ?? 'bmc'} ${proof.bmc}${failures.map((failure) => `; ${failure}`).join('')})`;
}
