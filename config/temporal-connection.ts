// The Temporal connection the standard way, TEMPORAL_* environment and temporal.toml
// (docs/design.md#real-parts-not-mocks):
// @temporalio/envconfig reads the profile, then TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
// TEMPORAL_API_KEY and TEMPORAL_TLS* override it. lazarus.yaml only names the profile and file.
import type { ClientConnectConfig } from '@temporalio/envconfig';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { LazarusError } from '../activities/errors.ts';
import type { LazarusConfig } from './load-config.ts';

export function temporalConnectConfig(
  temporal: LazarusConfig['temporal'],
  env: Readonly<Record<string, string | undefined>>,
): ClientConnectConfig {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  try {
    return loadClientConnectConfig({
      overrideEnvVars,
      ...(temporal.profile === undefined ? {} : { profile: temporal.profile }),
      ...(temporal.configFile === undefined ? {} : { configSource: { path: temporal.configFile } }),
    });
  } catch (error) {
    throw new LazarusError(
      'ConfigurationInvalid',
      `the Temporal connection settings cannot be loaded (${error instanceof Error ? error.message : String(error)}); check temporal.profile and temporal.configFile (or TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE)`,
      {},
    );
  }
}
