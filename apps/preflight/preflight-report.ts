// How a preflight report reads: a table for people, JSON for scripts. Neither carries a secret:
// BMC entries are shown as protocol and address.
import { describeBmc } from '../../activities/fencing/index.ts';
import type { HostRow } from './host-checks.ts';
import type { PreflightReport } from './run-preflight.ts';
import { alignColumns } from '../cli/text-table.ts';

export function problemCount(report: PreflightReport): number {
  return report.problems.length + report.hosts.reduce((sum, row) => sum + row.problems.length, 0);
}

export function reportAsJson(report: PreflightReport): string {
  return JSON.stringify(
    {
      ...report,
      isReady: problemCount(report) === 0,
      hosts: report.hosts.map((row) => ({
        host: row.host,
        novaCompute: row.novaCompute,
        bmc: row.bmc === undefined ? null : describeBmc(row.bmc),
        power: row.power,
        ...(row.pduPower === undefined ? {} : { pduPower: row.pduPower }),
        problems: row.problems,
      })),
    },
    null,
    2,
  );
}

export function reportAsTable(report: PreflightReport): string {
  const lines = [
    `configuration  ${report.config}`,
    `openstack      ${report.openstack ?? '-'}${report.novaMicroversion === null ? '' : ` (Nova microversion ${report.novaMicroversion})`}`,
    `temporal       ${report.temporal === null ? '-' : `${report.temporal.address}, namespace ${report.temporal.namespace}`}`,
  ];
  if (report.hosts.length > 0) lines.push('', ...table(report.hosts));
  const problems = [...report.problems, ...report.hosts.flatMap((row) => row.problems)];
  lines.push('');
  if (problems.length === 0)
    lines.push(`ready: ${report.hosts.length} hosts, every one with a BMC that answered`);
  else
    lines.push(
      `${problems.length} problem${problems.length === 1 ? '' : 's'}:`,
      ...problems.map((problem) => `  - ${problem}`),
    );
  return lines.join('\n');
}

function table(rows: readonly HostRow[]): string[] {
  const cells = [
    ['HOST', 'NOVA-COMPUTE', 'BMC', 'POWER', 'PROBLEMS'],
    ...rows.map((row) => [
      row.host,
      row.novaCompute ?? '(not in Nova)',
      row.bmc === undefined ? '(none)' : describeBmc(row.bmc),
      row.power ?? '?',
      String(row.problems.length || '-'),
    ]),
  ];
  return alignColumns(cells);
}
