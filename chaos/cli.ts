// `npm run chaos -- --runs N --seed S [--hosts H --instances-per-host M --parallel P]`: seeded chaos
// runs against real processes; prints each run as it ends, the timeline of any run that broke an
// invariant with the command that replays it, and a summary table. Exits 1 on any violation.
import { parseArgs } from 'node:util';
import { runCampaign } from './campaign.ts';
import type { RunReport } from './run-once.ts';
import { DEFAULT_REBUILD_SECONDS } from './run-once.ts';
import { formatSummary } from './summary.ts';
import { formatTimeline } from './timeline.ts';

const USAGE =
  'usage: npm run chaos -- --runs N --seed S [--hosts H (8)] [--instances-per-host M (5)] [--parallel P (3)] [--rebuild-seconds R (10)] [--timelines]';

class UsageError extends Error {}

function wholeNumber(
  name: string,
  text: string | undefined,
  fallback: number | undefined,
  min: number,
  max: number,
): number {
  if (text === undefined && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max} (got ${text ?? 'nothing'})`,
    );
  }
  return value;
}

function parseCommandLine(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        hosts: { type: 'string' },
        'instances-per-host': { type: 'string' },
        parallel: { type: 'string' },
        'rebuild-seconds': { type: 'string' },
        timelines: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    runs: wholeNumber('runs', values.runs, undefined, 1, 100_000),
    seed: wholeNumber('seed', values.seed, undefined, 0, 2 ** 31),
    // Eight hosts: two failed ones (a cascade) stay within the storm guard's default 25 % of the fleet.
    shape: {
      hosts: wholeNumber('hosts', values.hosts, 8, 3, 50),
      instancesPerHost: wholeNumber('instances-per-host', values['instances-per-host'], 5, 1, 40),
    },
    parallel: wholeNumber('parallel', values.parallel, 3, 1, 16),
    rebuildSeconds: wholeNumber(
      'rebuild-seconds',
      values['rebuild-seconds'],
      DEFAULT_REBUILD_SECONDS,
      1,
      120,
    ),
    /** Print every run's timeline, not only those of failing runs. */
    isTimelineWanted: values.timelines === true,
  };
}

function describeRun(report: RunReport, replay: string, isTimelineWanted: boolean): string {
  const line =
    `seed ${report.seed}: ${report.workerKills} worker kills (${report.boundaryKills} at a boundary), ${report.serverKills} server kills, ` +
    `${report.recovered} recovered, ${report.failedVisibly} failed visibly, ${report.violations.length} violations, ${Math.round(report.durationMs / 1000)} s`;
  const timeline = ['  timeline:', formatTimeline(report.timeline).replace(/^/gm, '    ')];
  if (report.violations.length === 0)
    return isTimelineWanted ? [line, ...timeline].join('\n') : line;
  return [
    line,
    ...report.violations.map((v) => `  VIOLATION ${v.invariant}: ${v.message}`),
    `  replay: ${replay}`,
    ...timeline,
  ].join('\n');
}

let options;
try {
  options = parseCommandLine(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`chaos: ${error.message}\n${USAGE}`);
  process.exit(2);
}
const { shape } = options;
const command = (seed: number, runs: number): string =>
  `npm run chaos -- --runs ${runs} --seed ${seed} --hosts ${shape.hosts} --instances-per-host ${shape.instancesPerHost}`;
console.log(`chaos: ${command(options.seed, options.runs)} --parallel ${options.parallel}`);
const { summary } = await runCampaign({
  ...options,
  onRun: (report) => {
    console.log(describeRun(report, command(report.seed, 1), options.isTimelineWanted));
  },
});
console.log(`\n${formatSummary(summary)}`);
if (summary.violations > 0) {
  console.log(
    `\n${summary.violations} violation(s) in the runs of seeds ${summary.failingSeeds.join(', ')}`,
  );
  process.exitCode = 1;
}
