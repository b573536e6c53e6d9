// `lazarus drill <host> | --all [--config PATH] [--json] [--concurrency N]`: an incident's dry run.
// Exit 0 when every host drilled could be recovered, 1 when one could not (each reason names its
// fix) or the drill could not be made, 2 on a usage error, as `lazarus preflight`.
import { parseArgs } from 'node:util';
import { DEFAULT_BMC_CONCURRENCY } from '../preflight/bmc-power-checks.ts';
import { CLOUD_READ_OPTIONS, concurrencyOf } from '../preflight/preflight-command.ts';
import { drillAsJson, drillAsText, isRecoverable } from './drill-report.ts';
import { runDrill } from './run-drill.ts';

export const DRILL_USAGE = `usage: lazarus drill <host> | --all [--config PATH] [--json] [--concurrency N]

An incident's dry run, touching nothing: reads the host's BMC power state, which instances an
incident would evacuate (in order) or skip (and why), by which recovery method, whether the other
enabled, up hosts have room for them, and an RTO estimate. --all drills every compute host, one
line each: the morning report. Exits 0 when every host drilled could be recovered, 1 otherwise.

options:
  --all              every compute host instead of one
  --config PATH      the configuration file (default: LAZARUS_CONFIG, else ./lazarus.yaml)
  --json             print the report as JSON, for scripts
  --concurrency N    how many BMCs to read at once (default ${DEFAULT_BMC_CONCURRENCY})`;

export async function drillCommand(args: readonly string[]): Promise<number> {
  const usageError = (message: string): number => {
    console.error(`lazarus drill: ${message}\n${DRILL_USAGE}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: { ...CLOUD_READ_OPTIONS, all: { type: 'boolean' } },
    });
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(DRILL_USAGE);
    return 0;
  }
  const isAll = values.all === true;
  if (isAll === positionals.length > 0 || positionals.length > 1)
    return usageError(
      `name one host or --all, not ${positionals.length === 0 ? 'neither' : positionals.join(' ') + (isAll ? ' and --all' : '')}`,
    );
  const concurrency = concurrencyOf(values.concurrency);
  if (typeof concurrency === 'string') return usageError(concurrency);
  const report = await runDrill({
    env: process.env,
    concurrency,
    warn: (message) => {
      console.error(message);
    },
    ...(isAll ? {} : { host: positionals[0] }),
    ...(values.config === undefined ? {} : { configPath: values.config }),
  });
  console.log(values.json === true ? drillAsJson(report) : drillAsText(report));
  return isRecoverable(report) ? 0 : 1;
}
