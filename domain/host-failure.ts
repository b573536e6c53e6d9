// Which failure of a host an incident works on (docs/design.md#one-failure-many-incidents). A
// failure begins when Lazarus first forces the host down and lasts until it is re-admitted; the
// nova-compute service's disabled_reason names the incident that forced it down and when that
// incident began. An incident that finds the host still forced down by an earlier incident takes
// that incident's id and start as the failure's, so its evacuation workflow IDs and its window of
// Nova's migration records are the earlier incident's (docs/design.md#i2-exactly-once).

/** The incident that forced the host down, and when it began: the failure's identity. */
export interface HostFailure {
  /** incident/<host>/<original run id> of the incident that forced the host down. */
  incidentId: string;
  /** That incident's incidentStartedAt (ISO 8601). */
  startedAt: string;
}

/** The disabled_reason a force-down sends: `lazarus <incident id> since <start>: <how fenced>`. */
export function forcedDownReason(failure: HostFailure, howFenced: string): string {
  return `lazarus ${failure.incidentId} since ${failure.startedAt}: ${howFenced}`;
}

const REASON = /^lazarus (incident\/(.+)\/[^/\s]+) since (\S+): /;

/**
 * The failure a disabled_reason written by forcedDownReason names, if it is one of `host`'s; a
 * human's reason, another host's or an unreadable one names none.
 */
export function failureNamedIn(
  disabledReason: string | null,
  host: string,
): HostFailure | undefined {
  const match = REASON.exec(disabledReason ?? '');
  if (match === null) return undefined;
  const [, incidentId = '', namedHost, startedAt = ''] = match;
  if (namedHost !== host || Number.isNaN(Date.parse(startedAt))) return undefined;
  return { incidentId, startedAt };
}
