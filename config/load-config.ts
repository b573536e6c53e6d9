// loadConfig: lazarus.yaml (path from --config, LAZARUS_CONFIG or ./lazarus.yaml), environment
// overrides, validation. Every problem is reported at once, each with its field path and its fix.
import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { LazarusError } from '../activities/errors.ts';
import { fieldPath } from '../lib/field-path.ts';
import type { FencingSettings } from '../activities/fencing/index.ts';
import type { ConfigProblem } from './bmc-inventory.ts';
import { BmcInventory } from './bmc-inventory.ts';
import type { ConfigFile } from './config-schema.ts';
import { PduInventory } from './pdu-inventory.ts';
import { configFileSchema } from './config-schema.ts';
import { applyEnvironmentOverrides } from './environment-overrides.ts';
import type { IncidentSettings } from './incident-settings.ts';
import { incidentSettingsOf, stormGuardLimitsOf } from './incident-settings.ts';
import type { DetectorSettings } from '../apps/detector/detector.ts';
import type { StormGuardLimits } from '../contracts/storm-guard-messages.ts';

export const DEFAULT_CONFIG_PATH = './lazarus.yaml';

export interface LazarusConfig {
  /** The file it was read from. */
  path: string;
  openstack: ConfigFile['openstack'];
  temporal: ConfigFile['temporal'];
  fencing: FencingSettings;
  bmcs: BmcInventory;
  /** The switched PDUs and the outlets feeding each host: hosts' second fencing level. */
  pdus: PduInventory;
  /** What every incident this deployment starts is given: policy, limits, corroboration, re-admission. */
  incident: IncidentSettings;
  stormGuard: StormGuardLimits;
  /** The built-in detector, run by the receiver when enabled. */
  detector: DetectorSettings & { isEnabled: boolean };
}

export interface ConfigSource {
  /** --config; LAZARUS_CONFIG, then ./lazarus.yaml, when absent. */
  path?: string;
  env: Readonly<Record<string, string | undefined>>;
}

export function configPathOf(source: ConfigSource): string {
  return (
    source.path ??
    (source.env.LAZARUS_CONFIG === undefined || source.env.LAZARUS_CONFIG === ''
      ? DEFAULT_CONFIG_PATH
      : source.env.LAZARUS_CONFIG)
  );
}

export async function loadConfig(source: ConfigSource): Promise<LazarusConfig> {
  const path = configPathOf(source);
  const { data, origins } = applyEnvironmentOverrides(
    parseYaml(path, await readText(path)),
    source.env,
  );
  const parsed = configFileSchema.safeParse(data);
  if (!parsed.success)
    throw configurationInvalid(
      path,
      parsed.error.issues.map((issue) => problemOf(issue, origins)),
    );
  const file = parsed.data;
  const bmcs = BmcInventory.from(file.bmcs);
  if (Array.isArray(bmcs)) throw configurationInvalid(path, bmcs);
  const pdus = PduInventory.from(file.pdus);
  // The protocols' own settings are already in their drivers' shape (fence-protocols.ts).
  const {
    powerOffTimeoutSeconds,
    pollIntervalSeconds,
    requestTimeoutSeconds,
    ...protocolSettings
  } = file.fencing;
  return {
    path,
    openstack: file.openstack,
    temporal: file.temporal,
    fencing: {
      powerOffTimeoutMs: powerOffTimeoutSeconds * 1000,
      pollIntervalMs: pollIntervalSeconds * 1000,
      requestTimeoutMs: requestTimeoutSeconds * 1000,
      ...protocolSettings,
    },
    bmcs,
    pdus,
    incident: incidentSettingsOf(file),
    stormGuard: stormGuardLimitsOf(file),
    detector: detectorSettingsOf(file),
  };
}

function detectorSettingsOf({ detector }: ConfigFile): LazarusConfig['detector'] {
  const { reportWhen } = detector;
  return {
    isEnabled: detector.enabled,
    pollMs: detector.pollSeconds * 1000,
    debounceMs: detector.debounceSeconds * 1000,
    reporter: detector.reporter,
    rules: {
      isNovaDownRequired: reportWhen.novaDown,
      isBmcReachableRequired: reportWhen.bmcReachable,
      isBmcPowerOffRequired: reportWhen.bmcPowerOff,
      shouldIgnoreDisabled: detector.ignoreDisabled,
    },
  };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new LazarusError(
      'ConfigurationInvalid',
      code === 'ENOENT'
        ? `configuration file ${path} does not exist; write one (config/lazarus.example.yaml shows every field) or name it with --config or LAZARUS_CONFIG`
        : `configuration file ${path} cannot be read (${typeof code === 'string' ? code : String(error)}); make it readable by the Lazarus user`,
      { path },
    );
  }
}

function parseYaml(path: string, text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const where = error.linePos?.[0];
    throw configurationInvalid(path, [
      {
        path: where === undefined ? '(file)' : `line ${where.line}, column ${where.col}`,
        message: `is not valid YAML: ${error.message.split('\n')[0] ?? ''}`,
      },
    ]);
  }
}

function problemOf(issue: z.core.$ZodIssue, origins: ReadonlyMap<string, string>): ConfigProblem {
  const path = fieldPath(issue.path);
  const origin = origins.get(issue.path.join('.'));
  const message =
    issue.code === 'unrecognized_keys'
      ? `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; check the spelling against config/README.md`
      : issue.message;
  return {
    path: `${path === '' ? '(top level)' : path}${origin === undefined ? '' : ` (from ${origin})`}`,
    message,
  };
}

/** The error for problems found in configuration file `path`, each with its field path and fix. */
export function configurationInvalid(
  path: string,
  problems: readonly ConfigProblem[],
): LazarusError {
  return new LazarusError(
    'ConfigurationInvalid',
    `configuration ${path} is invalid:\n${problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n')}`,
    { path, problems },
  );
}
