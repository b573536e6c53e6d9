// OpenStack writes times with and without a zone: Keystone's "…578887Z", Nova's DB times
// "2012-10-29T13:42:05.000000" (UTC, no zone; nova-api-samples/os-services). Both mean UTC.

/** Epoch milliseconds of an OpenStack timestamp, or null when it is not one. */
export function parseOpenStackTime(text: string): number | null {
  const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(text);
  const ms = Date.parse(hasZone ? text : `${text}Z`);
  return Number.isNaN(ms) ? null : ms;
}
