// `lazarus preflight`, the checks in the order an operator would make them: the configuration,
// the Temporal settings, OpenStack credentials and Nova, then every compute host's identity and
// BMC. It stops early only when a later check could not mean anything (no config, no Nova).
import { LazarusError } from '../../activities/errors.ts';
import { resolveCloudCredentials } from '../../activities/openstack/cloud-credentials.ts';
import { KeystoneSession } from '../../activities/openstack/keystone-session.ts';
import { NovaClient } from '../../activities/openstack/nova-client.ts';
import type { LazarusConfig } from '../../config/load-config.ts';
import { configPathOf, loadConfig } from '../../config/load-config.ts';
import { temporalConnectConfig } from '../../config/temporal-connection.ts';
import { checkBmcPower } from './bmc-power-checks.ts';
import { checkPduOutlets } from './pdu-power-checks.ts';
import type { HostRow } from './host-checks.ts';
import { hostRows } from './host-checks.ts';

export interface PreflightOptions {
  configPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** How many BMCs are read at once. */
  concurrency: number;
  /** Where warnings go (an insecure TLS switch), apart from the report. */
  warn: (message: string) => void;
}

export interface PreflightReport {
  config: string;
  /** Where the OpenStack credentials came from, once resolved. */
  openstack: string | null;
  novaMicroversion: string | null;
  temporal: { address: string; namespace: string } | null;
  /** Problems that concern no single host. */
  problems: string[];
  hosts: HostRow[];
}

export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
  const report: PreflightReport = {
    config: configPathOfOptions(options),
    openstack: null,
    novaMicroversion: null,
    temporal: null,
    problems: [],
    hosts: [],
  };
  const config = await collectProblem(report, () =>
    loadConfig({ path: report.config, env: options.env }),
  );
  if (config === undefined) return report;
  await collectProblem(report, () => {
    const { connectionOptions, namespace } = temporalConnectConfig(config.temporal, options.env);
    // The SDK's defaults when neither a profile nor TEMPORAL_* say otherwise.
    report.temporal = {
      address: connectionOptions.address ?? 'localhost:7233',
      namespace: namespace ?? 'default',
    };
    return Promise.resolve();
  });
  const nova = await collectProblem(report, () =>
    withNova(config, options, report, async (client) => {
      const [services, hypervisors] = await Promise.all([
        client.listComputeServices(),
        client.listHypervisors(),
      ]);
      return { services, hypervisors };
    }),
  );
  if (nova === undefined) return report;
  report.hosts = hostRows(nova.services, nova.hypervisors, config.bmcs, config.path, config.pdus);
  await checkBmcPower(report.hosts, config.fencing, options.concurrency, options.warn);
  await checkPduOutlets(
    report.hosts,
    config.pdus,
    config.fencing,
    options.concurrency,
    options.warn,
  );
  return report;
}

/** --config, else LAZARUS_CONFIG, else ./lazarus.yaml. */
export function configPathOfOptions(options: Pick<PreflightOptions, 'configPath' | 'env'>): string {
  return configPathOf({
    env: options.env,
    ...(options.configPath === undefined ? {} : { path: options.configPath }),
  });
}

/** Where the OpenStack credentials came from and the microversion Nova speaks, once known. */
export interface NovaIdentity {
  openstack: string | null;
  novaMicroversion: string | null;
}

/**
 * Opens a Keystone session and a Nova client for `use` (the session serves other services' clients
 * too), records in `identity` where the
 * credentials came from and the microversion, and closes the session after.
 */
export async function withNova<T>(
  config: LazarusConfig,
  options: Pick<PreflightOptions, 'env' | 'warn'>,
  identity: NovaIdentity,
  use: (nova: NovaClient, session: KeystoneSession) => Promise<T>,
): Promise<T> {
  const credentials = await resolveCloudCredentials({
    env: options.env,
    ...(config.openstack.cloud === undefined ? {} : { cloud: config.openstack.cloud }),
  });
  identity.openstack = credentials.source;
  const logger = {
    warn: (message: string) => {
      options.warn(message);
    },
  };
  const session = await KeystoneSession.open({ credentials, logger });
  try {
    const nova = await NovaClient.connect({ session, logger });
    identity.novaMicroversion = nova.microversion.text;
    return await use(nova, session);
  } finally {
    await session.close();
  }
}

/** Runs a check; a typed failure becomes a report problem (its message already says what to do). */
export async function collectProblem<T>(
  report: { problems: string[] },
  check: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof LazarusError)) throw error;
    report.problems.push(error.message);
    return undefined;
  }
}
