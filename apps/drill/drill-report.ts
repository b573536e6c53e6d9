// How a drill reads: sections for one host, one line per host for the whole cloud, and JSON for
// scripts (field names documented in docs/design.md#drill). None carries a secret: BMCs are shown
// as protocol and address.
import { alignColumns } from '../cli/text-table.ts';
import { describeCapacity, describeResources } from '../../domain/capacity.ts';
import { describeDuration } from '../../domain/recovery-estimate.ts';
import type { HostDrill } from './host-drill.ts';
import type { DrillReport } from './run-drill.ts';

export function isRecoverable(report: DrillReport): boolean {
  return report.problems.length === 0 && report.hosts.every((host) => host.reasons.length === 0);
}

export function drillAsJson(report: DrillReport): string {
  const hosts = report.hosts.map((host) => ({
    host: host.host,
    isRecoverable: host.reasons.length === 0,
    reasons: host.reasons,
    novaCompute: host.novaCompute,
    bmc: host.bmc,
    power: host.power,
    recoveryMethod: host.recoveryMethod.name,
    evacuateCount: host.evacuate.length,
    skipCount: host.skip.length,
    // The whole cloud's instances would make the morning report as large as Nova's listing.
    ...(report.scope === 'host' ? { evacuate: host.evacuate, skip: host.skip } : {}),
    capacity: {
      doesSuffice: host.capacity.doesSuffice,
      method: host.capacity.method,
      demand: host.capacity.demand,
      free: host.capacity.free,
      destinations: host.capacity.destinations,
      unplaced: host.capacity.unplaced.map((demand) => demand.instanceId),
    },
    rtoEstimate: host.estimate,
  }));
  return JSON.stringify(
    {
      scope: report.scope,
      isRecoverable: isRecoverable(report),
      config: report.config,
      openstack: report.openstack,
      novaMicroversion: report.novaMicroversion,
      problems: report.problems,
      hosts,
    },
    null,
    2,
  );
}

export function drillAsText(report: DrillReport): string {
  const lines = [
    report.scope === 'host'
      ? `drill of ${report.hosts[0]?.host ?? '?'}: a dry run, nothing was changed`
      : 'drill of every compute host: a dry run, nothing was changed',
    `configuration    ${report.config}`,
    `openstack        ${report.openstack ?? '-'}${report.novaMicroversion === null ? '' : ` (Nova microversion ${report.novaMicroversion})`}`,
  ];
  if (report.problems.length > 0) {
    lines.push(
      '',
      'the drill could not be made:',
      ...report.problems.map((problem) => `  - ${problem}`),
    );
    return lines.join('\n');
  }
  const [only] = report.hosts;
  if (report.scope === 'host' && only !== undefined) lines.push(...hostSections(only));
  else lines.push(...cloudLines(report.hosts));
  return lines.join('\n');
}

function hostSections(host: HostDrill): string[] {
  const lines = [
    `nova-compute     ${host.novaCompute ?? '(not in Nova)'}`,
    `BMC              ${host.bmc ?? '(none)'}${host.power === null ? '' : ` (power ${host.power})`}`,
    `recovery method  ${host.recoveryMethod.description}`,
    '',
    `would evacuate ${count(host.evacuate.length, 'instance')}${host.evacuate.length === 0 ? '' : ', in this order:'}`,
  ];
  if (host.evacuate.length > 0) {
    lines.push(
      ...indent(
        alignColumns([
          ['#', 'INSTANCE', 'NAME', 'STATUS', 'PRIORITY', 'NEEDS'],
          ...host.evacuate.map((instance, index) => [
            String(index + 1),
            instance.instanceId,
            instance.name,
            instance.status,
            String(instance.priority),
            describeResources(instance.needs),
          ]),
        ]),
      ),
    );
  }
  lines.push(
    `would skip ${count(host.skip.length, 'instance')}${host.skip.length === 0 ? '' : ':'}`,
  );
  if (host.skip.length > 0) {
    lines.push(
      ...indent(
        alignColumns([
          ['INSTANCE', 'NAME', 'REASON'],
          ...host.skip.map((skipped) => [skipped.instanceId, skipped.name, skipped.reason]),
        ]),
      ),
    );
  }
  lines.push(
    '',
    `capacity         ${describeCapacity(host.capacity)} (first-fit decreasing, host by host)`,
    `RTO estimate     about ${describeDuration(host.estimate.seconds)}, from ${host.estimate.basis}`,
    '',
    ...verdict(host),
  );
  return lines;
}

function verdict(host: HostDrill): string[] {
  if (host.reasons.length === 0) return [`${host.host} could be recovered`];
  return [
    `${host.host} could NOT be recovered today:`,
    ...host.reasons.map((reason) => `  - ${reason}`),
  ];
}

function cloudLines(hosts: readonly HostDrill[]): string[] {
  const failing = hosts.filter((host) => host.reasons.length > 0);
  const lines = [
    `recovery method  ${[...new Set(hosts.map((host) => host.recoveryMethod.description))].join('; ') || '-'}`,
    `RTO estimates    from ${hosts[0]?.estimate.basis ?? '-'}`,
    '',
    ...alignColumns([
      ['HOST', 'NOVA-COMPUTE', 'POWER', 'EVACUATE', 'SKIP', 'CAPACITY', 'RTO', 'VERDICT'],
      ...hosts.map((host) => [
        host.host,
        host.novaCompute ?? '(not in Nova)',
        host.power ?? '?',
        String(host.evacuate.length),
        String(host.skip.length),
        host.capacity.doesSuffice ? 'suffices' : 'short',
        describeDuration(host.estimate.seconds),
        host.reasons.length === 0
          ? 'recoverable'
          : `NOT recoverable (${count(host.reasons.length, 'reason')})`,
      ]),
    ]),
    '',
  ];
  if (failing.length === 0) {
    lines.push(`every one of ${count(hosts.length, 'compute host')} could be recovered today`);
    return lines;
  }
  lines.push(
    `${failing.length} of ${count(hosts.length, 'compute host')} could NOT be recovered today:`,
  );
  for (const host of failing)
    lines.push(`  ${host.host}:`, ...host.reasons.map((reason) => `    - ${reason}`));
  return lines;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const indent = (lines: readonly string[]): string[] => lines.map((line) => `  ${line}`);
