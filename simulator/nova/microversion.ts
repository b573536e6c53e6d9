// Microversion negotiation as nova/api/openstack/wsgi.py and api_version_request.py do it
// (docs/nova-and-bmc-facts.md#microversion-negotiation).
import type { IncomingHttpHeaders } from 'node:http';
import { NovaError } from './errors.ts';

/** The minor part of a 2.x microversion; Nova's compute API has only major version 2. */
export type Microversion = number;

export const minMicroversion: Microversion = 1;

export function formatMicroversion(minor: Microversion): string {
  return `2.${minor}`;
}

/** Parses "2.93"-style text; null when it is not of that form. */
export function parseMicroversionText(text: string): { major: number; minor: number } | null {
  const match = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(text);
  if (match === null) return null;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

function requestedVersion(headers: IncomingHttpHeaders): string | null {
  const modern = headers['openstack-api-version'];
  if (typeof modern === 'string') {
    for (const item of modern.split(',')) {
      const [service, version] = item.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute' && version !== undefined) return version;
    }
  }
  const legacy = headers['x-openstack-nova-api-version'];
  return typeof legacy === 'string' ? legacy.trim() : null;
}

export function negotiateMicroversion(
  headers: IncomingHttpHeaders,
  max: Microversion,
): Microversion {
  const text = requestedVersion(headers);
  if (text === null) return minMicroversion;
  if (text.toLowerCase() === 'latest') return max;
  const parsed = parseMicroversionText(text);
  if (parsed === null) {
    throw new NovaError(
      400,
      `API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`,
    );
  }
  if (parsed.major !== 2 || parsed.minor < minMicroversion || parsed.minor > max) {
    throw new NovaError(
      406,
      `Version ${text} is not supported by the API. Minimum is ${formatMicroversion(minMicroversion)} and maximum is ${formatMicroversion(max)}.`,
    );
  }
  return parsed.minor;
}

export function microversionHeaders(minor: Microversion): Record<string, string> {
  return {
    'OpenStack-API-Version': `compute ${formatMicroversion(minor)}`,
    'X-OpenStack-Nova-API-Version': formatMicroversion(minor),
    Vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
  };
}
