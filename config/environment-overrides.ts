// The environment variables that override lazarus.yaml, applied to the file's data before it is
// validated, so a bad value is reported like a bad field (with the variable named).
import { FENCE_PROTOCOL_NAMES, FENCE_PROTOCOLS } from '../activities/fencing/fence-protocols.ts';

type Kind = 'text' | 'seconds' | 'boolean';

export interface Override {
  variable: string;
  path: readonly string[];
  kind: Kind;
}

/** Documented in config/README.md; TEMPORAL_ADDRESS and friends are read by @temporalio/envconfig. A protocol's own come from its registry entry. */
export const ENVIRONMENT_OVERRIDES: readonly Override[] = [
  { variable: 'OS_CLOUD', path: ['openstack', 'cloud'], kind: 'text' },
  { variable: 'TEMPORAL_PROFILE', path: ['temporal', 'profile'], kind: 'text' },
  { variable: 'TEMPORAL_CONFIG_FILE', path: ['temporal', 'configFile'], kind: 'text' },
  { variable: 'LAZARUS_TASK_QUEUE', path: ['temporal', 'taskQueue'], kind: 'text' },
  {
    variable: 'LAZARUS_FENCING_POWER_OFF_TIMEOUT_SECONDS',
    path: ['fencing', 'powerOffTimeoutSeconds'],
    kind: 'seconds',
  },
  {
    variable: 'LAZARUS_FENCING_POLL_INTERVAL_SECONDS',
    path: ['fencing', 'pollIntervalSeconds'],
    kind: 'seconds',
  },
  {
    variable: 'LAZARUS_FENCING_REQUEST_TIMEOUT_SECONDS',
    path: ['fencing', 'requestTimeoutSeconds'],
    kind: 'seconds',
  },
  ...FENCE_PROTOCOL_NAMES.flatMap((name) => FENCE_PROTOCOLS[name].environment),
];

function converted(text: string, kind: Kind): unknown {
  if (kind === 'text') return text;
  if (kind === 'boolean')
    return (
      ({ true: true, '1': true, false: false, '0': false } as Record<string, boolean | undefined>)[
        text.toLowerCase()
      ] ?? text
    );
  const number = Number(text);
  return text.trim() === '' || Number.isNaN(number) ? text : number;
}

/** The file's data with every set override applied, and which field paths came from which variable. */
export function applyEnvironmentOverrides(
  data: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { data: unknown; origins: Map<string, string> } {
  const origins = new Map<string, string>();
  const root: Record<string, unknown> = isRecord(data) ? structuredClone(data) : {};
  for (const { variable, path, kind } of ENVIRONMENT_OVERRIDES) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    let node = root;
    for (const key of path.slice(0, -1)) {
      const child = node[key];
      node = isRecord(child) ? child : (node[key] = {});
    }
    node[path.at(-1) ?? ''] = converted(text, kind);
    origins.set(path.join('.'), variable);
  }
  return { data: isRecord(data) || origins.size > 0 ? root : data, origins };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
