// `lazarus preflight [--config PATH] [--json] [--concurrency N]`: exit 0 when Lazarus is ready to
// protect every compute host, 1 when a problem was found (each names its host and fix), 2 on
// a usage error.
import { parseArgs } from 'node:util';
import { DEFAULT_BMC_CONCURRENCY } from './bmc-power-checks.ts';
import { problemCount, reportAsJson, reportAsTable } from './preflight-report.ts';
import { runPreflight } from './run-preflight.ts';

export const PREFLIGHT_USAGE = `usage: lazarus preflight [--config PATH] [--json] [--concurrency N]

Checks the configuration, the OpenStack credentials and Nova, that every nova-compute host has a
BMC entry whose BMC answers a power-status read, and the host identity problems that make Nova lose
instances. Exits 0 when ready, 1 on problems.

options:
  --config PATH      the configuration file (default: LAZARUS_CONFIG, else ./lazarus.yaml)
  --json             print the report as JSON, for scripts
  --concurrency N    how many BMCs to read at once (default ${DEFAULT_BMC_CONCURRENCY})`;

/** The options of the commands that read Nova and every BMC: preflight and drill. */
export const CLOUD_READ_OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  concurrency: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** --concurrency's value as a number, or what is wrong with it. */
export function concurrencyOf(text: string | undefined): number | string {
  const concurrency = Number(text ?? DEFAULT_BMC_CONCURRENCY);
  return Number.isInteger(concurrency) && concurrency >= 1
    ? concurrency
    : `--concurrency must be a whole number of at least 1 (got ${text ?? ''})`;
}

export async function preflightCommand(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: CLOUD_READ_OPTIONS,
    }));
  } catch (error) {
    console.error(
      `lazarus preflight: ${error instanceof Error ? error.message : String(error)}\n${PREFLIGHT_USAGE}`,
    );
    return 2;
  }
  if (values.help === true) {
    console.log(PREFLIGHT_USAGE);
    return 0;
  }
  const concurrency = concurrencyOf(values.concurrency);
  if (typeof concurrency === 'string') {
    console.error(`lazarus preflight: ${concurrency}`);
    return 2;
  }
  const report = await runPreflight({
    env: process.env,
    concurrency,
    warn: (message) => {
      console.error(message);
    },
    ...(values.config === undefined ? {} : { configPath: values.config }),
  });
  console.log(values.json === true ? reportAsJson(report) : reportAsTable(report));
  return problemCount(report) === 0 ? 0 : 1;
}
