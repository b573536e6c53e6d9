// Suppression after an operator's abort (docs/design.md#suppression-after-an-abort): once an operator
// aborts a host's incident, repeated alerts for that host start nothing until the alert resolves,
// an operator lifts it, or its time passes. Pure, so expiry and the answer are unit-tested; the storm
// guard keeps the list and drops expired entries on its own clock.
import type { ReportSuppression } from '../contracts/storm-guard-messages.ts';

/** Alertmanager's default repeat_interval (4 h): a repeated alert after that starts an incident again. */
export const DEFAULT_SUPPRESS_AFTER_ABORT_MS = 240 * 60_000;

const isActive = (suppression: ReportSuppression, nowMs: number): boolean =>
  Date.parse(suppression.until) > nowMs;

/** The suppression that stops reports of `host` at `nowMs`, if any. */
export function activeSuppression(
  suppressions: readonly ReportSuppression[],
  host: string,
  nowMs: number,
): ReportSuppression | undefined {
  return suppressions.find(
    (suppression) => suppression.host === host && isActive(suppression, nowMs),
  );
}

export function withoutExpired(
  suppressions: readonly ReportSuppression[],
  nowMs: number,
): ReportSuppression[] {
  return suppressions.filter((suppression) => isActive(suppression, nowMs));
}

/** How long until the next suppression expires, for the guard's timer; undefined when there is none. */
export function msUntilNextExpiry(
  suppressions: readonly ReportSuppression[],
  nowMs: number,
): number | undefined {
  const next = Math.min(...suppressions.map((suppression) => Date.parse(suppression.until)));
  return Number.isFinite(next) ? Math.max(1, next - nowMs) : undefined;
}

/** The answer to a suppressed report: who stopped it, when, why, and what lifts it. */
export function suppressedBecause(suppression: ReportSuppression): string {
  const { host, operator, abortedAt, reason, until } = suppression;
  return `suppressed: aborted by ${operator} at ${abortedAt} because ${reason}; reports of ${host} start nothing until its alert resolves or ${until}, or until: lazarus unsuppress ${host} --reason TEXT`;
}
