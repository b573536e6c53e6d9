// The detector's memory between polls: a host is reported once its rules have held on every poll for
// the debounce time, then not again until it is seen healthy. Pure: a poll's assessments and the
// time in, the hosts to report and the lines worth logging out.
import type { Assessment } from './detector-rules.ts';

export interface HostTrack {
  /** When the rules were first seen to hold without a break (only while `failing`). */
  failingSince?: number;
  isReported: boolean;
  /** The last assessment's kind and detail, so only changes are logged. */
  lastSeen: string;
}

export interface DebounceStep {
  tracks: ReadonlyMap<string, HostTrack>;
  reports: { host: string; reason: string }[];
  notes: string[];
}

function seenAs(assessment: Assessment): string {
  switch (assessment.kind) {
    case 'failing':
      return 'failing';
    case 'unconfirmed':
      return `unconfirmed: ${assessment.missing}`;
    case 'ignored':
      return `ignored: ${assessment.why}`;
    case 'unknown':
      return `unknown: ${assessment.why}`;
    case 'healthy':
      return 'healthy';
  }
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

/**
 * One poll. `isReported` survives `unconfirmed` and `ignored` (an incident forces the service down,
 * which the rules then ignore), so a host an operator aborted is not reported again while it stays
 * down; only `healthy` forgets a host, and leaving Nova's list. `unknown` leaves its track as it
 * was. A poll that could not read Nova is not a step at all.
 */
export function debounceFailures(
  previous: ReadonlyMap<string, HostTrack>,
  assessments: ReadonlyMap<string, Assessment>,
  now: number,
  debounceMs: number,
): DebounceStep {
  const tracks = new Map<string, HostTrack>();
  const reports: DebounceStep['reports'] = [];
  const notes: string[] = [];
  for (const [host, assessment] of assessments) {
    const track = previous.get(host);
    const lastSeen = seenAs(assessment);
    const isChanged = lastSeen !== (track?.lastSeen ?? 'healthy');
    switch (assessment.kind) {
      case 'healthy':
        if (track?.failingSince !== undefined && !track.isReported)
          notes.push(
            `${host}: healthy again after ${seconds(now - track.failingSince)}, within the debounce; not reported`,
          );
        else if (isChanged) notes.push(`${host}: healthy`);
        break;
      case 'unknown':
        if (isChanged) notes.push(`${host}: ${assessment.why}; waiting for Nova to know it again`);
        tracks.set(host, { ...(track ?? { isReported: false }), lastSeen });
        break;
      case 'ignored':
      case 'unconfirmed':
        if (isChanged)
          notes.push(
            assessment.kind === 'ignored'
              ? `${host}: ignored, ${assessment.why}`
              : `${host}: ${assessment.evidence}; not reported: ${assessment.missing}`,
          );
        tracks.set(host, { isReported: track?.isReported ?? false, lastSeen });
        break;
      case 'failing': {
        const failingSince = track?.failingSince ?? now;
        const isReported = track?.isReported ?? false;
        const isDue = !isReported && now - failingSince >= debounceMs;
        if (isDue)
          reports.push({
            host,
            reason: `${assessment.evidence}, for ${seconds(now - failingSince)}`,
          });
        else if (isChanged && !isReported)
          notes.push(
            `${host}: ${assessment.evidence}; reporting it in ${seconds(debounceMs)} unless it recovers`,
          );
        tracks.set(host, { failingSince, isReported: isReported || isDue, lastSeen });
        break;
      }
    }
  }
  return { tracks, reports, notes };
}

/** After a report could not be delivered: the host is reported again at the next poll. */
export function markUnreported(
  tracks: ReadonlyMap<string, HostTrack>,
  host: string,
): ReadonlyMap<string, HostTrack> {
  const track = tracks.get(host);
  if (track === undefined) return tracks;
  return new Map(tracks).set(host, { ...track, isReported: false });
}
