// OpenStack's timestamp spellings differ per field; the samples show which is which.

/** "2013-09-03T04:01:32Z": servers' created/updated. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** "2012-10-29T13:42:05.000000": DB datetimes such as services' and migrations' updated_at. */
export function isoMicros(ms: number): string {
  const micros = Math.floor((ms % 1000) * 1000)
    .toString()
    .padStart(6, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${micros}`;
}

/** ISO 8601 as Nova's query schemas accept it; a timestamp without a zone is UTC. */
export function parseTimestamp(text: string): number | null {
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
  const ms = Date.parse(hasZone ? text : `${text}Z`);
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text) && Number.isFinite(ms) ? ms : null;
}
