// `lazarus drill`, the reads in order: the configuration, Nova (compute services, hypervisors, the
// instances), Placement (what each candidate destination has free), then the BMC of every host
// drilled. Only reads: GETs to Nova and Placement and power-state reads from BMCs, so a drill
// changes nothing in the cloud (docs/design.md#drill).
import type { Instance } from '../../activities/openstack/index.ts';
import {
  computeHostsOf,
  isSchedulable,
  PlacementClient,
  readCapacities,
} from '../../activities/openstack/index.ts';
import { loadConfig } from '../../config/load-config.ts';
import { DEFAULT_EVACUATION_POLICY } from '../../domain/evacuation-policy.ts';
import { AUTO_RECOVERY } from '../../domain/recovery-method.ts';
import { checkBmcPower } from '../preflight/bmc-power-checks.ts';
import { hostRows } from '../preflight/host-checks.ts';
import type { NovaIdentity } from '../preflight/run-preflight.ts';
import { collectProblem, configPathOfOptions, withNova } from '../preflight/run-preflight.ts';
import type { HostDrill } from './host-drill.ts';
import { drillHost, unknownHostRow } from './host-drill.ts';

export interface DrillOptions {
  /** One host, or every compute host when absent. */
  host?: string;
  configPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** How many BMCs are read at once. */
  concurrency: number;
  warn: (message: string) => void;
}

export interface DrillReport extends NovaIdentity {
  scope: 'host' | 'all';
  config: string;
  /** Problems that concern no single host: the configuration, the credentials, Nova, Placement. */
  problems: string[];
  hosts: HostDrill[];
}

export async function runDrill(options: DrillOptions): Promise<DrillReport> {
  const report: DrillReport = {
    scope: options.host === undefined ? 'all' : 'host',
    config: configPathOfOptions(options),
    openstack: null,
    novaMicroversion: null,
    problems: [],
    hosts: [],
  };
  const config = await collectProblem(report, () =>
    loadConfig({ path: report.config, env: options.env }),
  );
  if (config === undefined) return report;
  const nova = await collectProblem(report, () =>
    withNova(config, options, report, async (client, session) => {
      const [services, hypervisors, instances] = await Promise.all([
        client.listComputeServices(),
        client.listHypervisors(),
        options.host === undefined
          ? client.listInstances()
          : client.listInstancesOnHost(options.host),
      ]);
      const capacities = await readCapacities(
        await PlacementClient.connect({ session, logger: { warn: options.warn } }),
        // Only these can receive instances; the others' figures would change no verdict.
        hypervisors.filter(isSchedulable),
      );
      return { services, hypervisors, instances, capacities };
    }),
  );
  if (nova === undefined) return report;
  const everyRow = hostRows(nova.services, nova.hypervisors, config.bmcs, config.path, config.pdus);
  const rows =
    options.host === undefined
      ? everyRow.filter((row) => row.novaCompute !== null)
      : [everyRow.find((row) => row.host === options.host) ?? unknownHostRow(options.host)];
  await checkBmcPower(rows, config.fencing, options.concurrency, options.warn);
  const computeHosts = computeHostsOf(nova.hypervisors, nova.capacities);
  const instancesByHost = groupByHost(nova.instances);
  report.hosts = rows.map((row) =>
    drillHost(
      row,
      instancesByHost.get(row.host) ?? [],
      computeHosts,
      // What the incident workflow falls back on too.
      config.incident.policy ?? DEFAULT_EVACUATION_POLICY,
      // Every host is recovered by `auto` until per-group methods exist (domain/recovery-method.ts).
      AUTO_RECOVERY,
    ),
  );
  return report;
}

function groupByHost(instances: readonly Instance[]): Map<string, Instance[]> {
  const byHost = new Map<string, Instance[]>();
  for (const instance of instances) {
    if (instance.host === null) continue;
    const onHost = byHost.get(instance.host);
    if (onHost === undefined) byHost.set(instance.host, [instance]);
    else onHost.push(instance);
  }
  return byHost;
}
