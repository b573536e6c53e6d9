// The table a chaos campaign ends with: what was done to Lazarus, what it recovered, and what broke.
import type { RunReport } from './run-once.ts';
import type { FaultKind } from './schedule.ts';

export interface CampaignSummary {
  runs: number;
  workerKills: number;
  boundaryKills: number;
  serverKills: number;
  /** Workers that exited without being killed: one started while the server was down cannot connect and exits 1. */
  unexpectedWorkerExits: number;
  faults: Partial<Record<FaultKind, number>>;
  recovered: number;
  failedVisibly: number;
  violations: number;
  failingSeeds: number[];
  wallTimeMs: number;
}

export function summarize(reports: readonly RunReport[], wallTimeMs: number): CampaignSummary {
  const faults: Partial<Record<FaultKind, number>> = {};
  for (const run of reports) {
    for (const [kind, count] of Object.entries(run.faults) as [FaultKind, number][])
      faults[kind] = (faults[kind] ?? 0) + count;
  }
  const total = (
    field:
      | 'workerKills'
      | 'boundaryKills'
      | 'serverKills'
      | 'unexpectedWorkerExits'
      | 'recovered'
      | 'failedVisibly',
  ): number => reports.reduce((sum, run) => sum + run[field], 0);
  return {
    runs: reports.length,
    workerKills: total('workerKills'),
    boundaryKills: total('boundaryKills'),
    serverKills: total('serverKills'),
    unexpectedWorkerExits: total('unexpectedWorkerExits'),
    faults,
    recovered: total('recovered'),
    failedVisibly: total('failedVisibly'),
    violations: reports.reduce((sum, run) => sum + run.violations.length, 0),
    failingSeeds: reports.filter((run) => run.violations.length > 0).map((run) => run.seed),
    wallTimeMs,
  };
}

/** Markdown, so the README can show it as printed. */
export function formatSummary(summary: CampaignSummary): string {
  const minutes = (summary.wallTimeMs / 60_000).toFixed(1);
  const faults = Object.entries(summary.faults).sort(([a], [b]) => a.localeCompare(b));
  return [
    '| runs | worker kills (at activity boundaries) | server kills | worker exits unasked | faults injected | instances recovered | failed visibly | violations | wall time |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${summary.runs} | ${summary.workerKills} (${summary.boundaryKills}) | ${summary.serverKills} | ${summary.unexpectedWorkerExits} | ${faults.reduce((sum, [, n]) => sum + n, 0)} | ${summary.recovered} | ${summary.failedVisibly} | ${summary.violations} | ${minutes} min |`,
    '',
    '| fault | injected |',
    '|---|---:|',
    ...faults.map(([kind, count]) => `| ${kind} | ${count} |`),
  ].join('\n');
}
