// The flapping guard (docs/design.md#flapping-guard): a host that keeps failing is a host whose
// hardware, firmware or network is bad, and each automatic round trip (fence, evacuate, re-admit,
// schedule instances back onto it) moves tenants onto it to fail again. So once a host failed
// `failures` times within the window, its incident still fences and evacuates (its instances are
// down: waiting helps nobody) but it is not re-admitted automatically; and its next incident within
// the window waits for an operator before it fences anything, with the failures as the reason.
// Pure, so every rule is unit-tested; the storm guard keeps the failures, across continue-as-new.
import type { FlappingLimits, HostFailure } from '../contracts/storm-guard-messages.ts';

/**
 * The failures within the window with this one added. Each incident that asked for admission counts
 * once, at its first request: a retried request or a reset incident asks again as the same incident.
 */
export function withFailure(
  failures: readonly HostFailure[],
  failure: HostFailure,
  limits: FlappingLimits,
): HostFailure[] {
  const nowMs = Date.parse(failure.at);
  const kept = failures.filter((other) => nowMs - Date.parse(other.at) < limits.windowMs);
  return kept.some((other) => other.incidentId === failure.incidentId) ? kept : [...kept, failure];
}

/** The host's failures within the window at `nowMs`, oldest first. */
export function failuresOf(
  failures: readonly HostFailure[],
  host: string,
  nowMs: number,
  limits: FlappingLimits,
): HostFailure[] {
  return failures
    .filter((failure) => failure.host === host && nowMs - Date.parse(failure.at) < limits.windowMs)
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

const hours = (ms: number): string => `${Math.round((ms / 3_600_000) * 10) / 10} h`;

function failureList(failures: readonly HostFailure[]): string {
  return failures.map((failure) => `${failure.at} (${failure.incidentId})`).join(', ');
}

/**
 * Why this incident waits for an operator: its host had failed `failures` times within the window
 * before it. Undefined when it need not.
 */
export function flappingHold(
  failures: readonly HostFailure[],
  incident: { host: string; incidentId: string },
  nowMs: number,
  limits: FlappingLimits,
): string | undefined {
  const before = failuresOf(failures, incident.host, nowMs, limits).filter(
    (failure) => failure.incidentId !== incident.incidentId,
  );
  if (before.length < limits.failures) return undefined;
  return `host ${incident.host} failed ${before.length} times within the last ${hours(limits.windowMs)} before this incident (${failureList(before)}), and the limit is ${limits.failures}: it may be flapping; check its hardware, then lazarus approve ${incident.host}`;
}

/**
 * Why the host of this incident must not be re-admitted automatically: with this failure it has
 * failed `failures` times within the window. Undefined when automatic re-admission may go on.
 */
export function flappingReadmissionHold(
  failures: readonly HostFailure[],
  incident: { host: string; incidentId: string },
  nowMs: number,
  limits: FlappingLimits,
): string | undefined {
  const recent = failuresOf(failures, incident.host, nowMs, limits);
  if (recent.length < limits.failures) return undefined;
  return `host ${incident.host} failed ${recent.length} times within the last ${hours(limits.windowMs)} (${failureList(recent)}), and the limit is ${limits.failures}: it is not re-admitted automatically; check its hardware, then lazarus readmit ${incident.host}`;
}
