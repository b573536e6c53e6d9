// Which Nova microversion Lazarus speaks, decided once per client from version discovery
// (docs/nova-and-bmc-facts.md#microversion-negotiation). 2.53 is the floor: service ids become
// uuids and one PUT can disable and force down a service together, which avoids the 60 s RPC wait
// on a dead host (docs/nova-and-bmc-facts.md#the-60-second-disable-trap). 2.95 is the ceiling
// Lazarus knows: from it on, evacuated instances end stopped
// (docs/nova-and-bmc-facts.md#power-state-after-evacuation).
import { z } from 'zod';
import { LazarusError } from '../errors.ts';

export const LAZARUS_MIN_MICROVERSION = 53;
export const LAZARUS_MAX_MICROVERSION = 95;
/**
 * From this microversion Nova stops an evacuated instance on its destination
 * (docs/nova-and-bmc-facts.md#power-state-after-evacuation).
 */
const EVACUATE_STOPS_INSTANCES = 95;

export interface NegotiatedMicroversion {
  /** The minor part: 93 for 2.93. */
  minor: number;
  /** The header value, "2.93". */
  text: string;
  /** Whether Nova ends evacuated instances stopped (2.95+) or keeps their power state. */
  doesEvacuateStopInstances: boolean;
}

export const versionDocumentSchema = z.object({
  version: z.object({
    id: z.string(),
    status: z.string(),
    version: z.string(),
    min_version: z.string(),
  }),
});

function minorOf(text: string): number | null {
  const match = /^2\.(\d+)$/.exec(text);
  return match === null ? null : Number(match[1]);
}

/**
 * The highest microversion both sides support, capped by `ceiling` (an operator may cap it at
 * 2.94 to keep evacuated instances running), or MicroversionUnsupported.
 */
export function negotiateMicroversion(
  server: { min: string; max: string },
  ceiling = LAZARUS_MAX_MICROVERSION,
): NegotiatedMicroversion {
  const serverMin = minorOf(server.min);
  const serverMax = minorOf(server.max);
  const wanted = Math.min(ceiling, LAZARUS_MAX_MICROVERSION);
  if (
    serverMin === null ||
    serverMax === null ||
    serverMax < LAZARUS_MIN_MICROVERSION ||
    serverMin > wanted ||
    wanted < LAZARUS_MIN_MICROVERSION
  ) {
    throw new LazarusError(
      'MicroversionUnsupported',
      `Nova supports microversions ${server.min || '(none)'} to ${server.max || '(none)'}, Lazarus needs one between 2.${LAZARUS_MIN_MICROVERSION} and 2.${wanted}; upgrade Nova to Pike (2.53) or later${ceiling < LAZARUS_MAX_MICROVERSION ? ', or raise the configured ceiling' : ''}`,
      {
        serverMin: server.min,
        serverMax: server.max,
        lazarusMin: `2.${LAZARUS_MIN_MICROVERSION}`,
        lazarusMax: `2.${wanted}`,
      },
    );
  }
  const minor = Math.min(serverMax, wanted);
  return {
    minor,
    text: `2.${minor}`,
    doesEvacuateStopInstances: minor >= EVACUATE_STOPS_INSTANCES,
  };
}

/** Where Nova's v2.1 version document lives for a catalog URL such as http://h:8774/v2.1/<project>. */
export function versionDocumentUrl(computeEndpoint: string): string {
  const url = new URL(computeEndpoint);
  const segments = url.pathname.split('/');
  const index = segments.indexOf('v2.1');
  if (index < 0) {
    throw new LazarusError(
      'ConfigurationInvalid',
      `the catalog's compute endpoint ${computeEndpoint} is not Nova's v2.1 API (no /v2.1 in its path); fix the endpoint in Keystone or choose another interface or region`,
      { endpoint: computeEndpoint },
    );
  }
  url.pathname = `${segments.slice(0, index + 1).join('/')}/`;
  url.search = '';
  return url.toString();
}
