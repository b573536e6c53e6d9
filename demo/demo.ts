// `npm run demo [-- --exit] [--hosts N] [--instances-per-host M] [--ipmi-hosts K] [--fail HOST]`:
// a simulated cloud protected by Lazarus. One host loses power, Alertmanager (played by the demo)
// reports it to the receiver, and the recovery shows live: fencing, force-down, each instance's
// evacuation and verified landing, then the per-instance table and the incident's Web UI link.
// Runs until Ctrl-C; --exit ends after the recovery (status 0 only if every instance landed).
import { parseArgs } from 'node:util';
import { incidentWorkflowId } from '../contracts/incident-messages.ts';
import { instancesTable } from '../apps/cli/commands/incident-tables.ts';
import type { DemoCloud } from './demo-cloud.ts';
import { startDemoCloud } from './demo-cloud.ts';
import { watchRecovery } from './recovery-display.ts';

const USAGE = `usage: npm run demo [-- --exit] [--hosts N] [--instances-per-host M] [--ipmi-hosts K] [--fail HOST]

options:
  --exit                  end after the recovery (exit 0 when every instance landed), for scripts
  --hosts N               compute hosts (default 8)
  --instances-per-host M  instances on each (default 10)
  --ipmi-hosts K          hosts, from the first, fenced over IPMI via ipmi_sim; the others over Redfish (default 4)
  --fail HOST             the host that loses power (default cmp-02, an IPMI one)`;

// Simulated Nova runs 10 times faster than real time: a rebuild takes 0.1 s, so the recovery of
// 10 instances takes seconds, not minutes; fencing and the BMCs run at their real pace.
const TIME_SCALE = 10;
const RECOVERY_TIMEOUT_MS = 5 * 60_000;

class UsageError extends Error {}

interface DemoOptions {
  isHelp: boolean;
  isExitAfterRecovery: boolean;
  hosts: number;
  instancesPerHost: number;
  ipmiHosts: number;
  failedHost: string;
}

function parseOptions(argv: readonly string[]): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean' },
        exit: { type: 'boolean' },
        hosts: { type: 'string' },
        'instances-per-host': { type: 'string' },
        'ipmi-hosts': { type: 'string' },
        fail: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const whole = (
    name: string,
    text: string | undefined,
    fallback: number,
    max: number,
    min = 1,
  ): number => {
    const value = Number(text ?? fallback);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new UsageError(
        `--${name} must be a whole number from ${min} to ${max} (got ${text ?? ''})`,
      );
    return value;
  };
  const hosts = whole('hosts', values.hosts, 8, 50);
  const options = {
    isHelp: values.help === true,
    isExitAfterRecovery: values.exit === true,
    hosts,
    instancesPerHost: whole('instances-per-host', values['instances-per-host'], 10, 50),
    ipmiHosts: Math.min(hosts, whole('ipmi-hosts', values['ipmi-hosts'], 4, 50, 0)),
    failedHost: values.fail ?? 'cmp-02',
  };
  if (!/^cmp-\d+$/.test(options.failedHost))
    throw new UsageError(
      `--fail must name a simulated host such as cmp-02 (got ${options.failedHost})`,
    );
  return options;
}

async function recover(
  cloud: DemoCloud,
  options: DemoOptions,
  signal: AbortSignal,
): Promise<boolean> {
  const host = options.failedHost;
  if (cloud.sim.bmcs[host] === undefined)
    throw new UsageError(
      `--fail ${host}: the simulated cloud has no such host (cmp-01 … cmp-${String(options.hosts).padStart(2, '0')})`,
    );
  console.log(`\n${host} loses power`);
  cloud.sim.failHost(host, 'power-loss');
  console.log(
    `Alertmanager reports it to the receiver, which answers 202 ${await cloud.reportFailure(host)}\n`,
  );

  const workflowId = incidentWorkflowId(host);
  const uiLink = `${cloud.temporal.uiUrl ?? ''}/namespaces/${cloud.temporal.namespace}/workflows/${encodeURIComponent(workflowId)}`;
  console.log(`follow it in the Web UI: ${uiLink}\n`);
  const state = await watchRecovery(cloud.client.workflow.getHandle(workflowId), {
    isTty: process.stdout.isTTY,
    write: (text) => process.stdout.write(text),
    timeoutMs: RECOVERY_TIMEOUT_MS,
    signal,
  });
  console.log(`\n${instancesTable(state.instances, state.host).join('\n')}\n`);
  const moved = state.instances.filter(
    (row) => row.progress.outcome === 'landed' || row.progress.outcome === 'alreadyEvacuated',
  ).length;
  const isRecovered = state.instances.length > 0 && moved === state.instances.length;
  console.log(
    isRecovered
      ? `all ${moved} instances of ${host} landed on other hosts and were verified; ${host} stays fenced until: lazarus readmit ${host}`
      : `${moved} of ${state.instances.length} instances of ${host} landed; the table says why the others did not (phase ${state.phase})`,
  );
  console.log(`the incident in the Web UI: ${uiLink}`);
  return isRecovered;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.isHelp) {
    console.log(USAGE);
    return 0;
  }
  let cloud: DemoCloud | undefined;
  const interruption = new AbortController();
  const isInterrupted = (): boolean => interruption.signal.aborted;
  const interrupted = new Promise<void>((resolve) => {
    const onSignal = (): void => {
      interruption.abort();
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    cloud = await startDemoCloud({
      hosts: options.hosts,
      instancesPerHost: options.instancesPerHost,
      ipmiHosts: options.ipmiHosts,
      timeScale: TIME_SCALE,
      say: (line) => {
        console.log(line);
      },
    });
    if (isInterrupted()) return 130;
    console.log(
      `Temporal Web UI: ${cloud.temporal.uiUrl ?? ''}   (gRPC ${cloud.temporal.address}; try: TEMPORAL_ADDRESS=${cloud.temporal.address} npx lazarus incidents)`,
    );
    const isRecovered = await Promise.race([
      recover(cloud, options, interruption.signal).catch((error: unknown) => {
        if (isInterrupted()) return false;
        throw error;
      }),
      interrupted.then(() => false),
    ]);
    if (options.isExitAfterRecovery || isInterrupted()) return isRecovered ? 0 : 1;
    console.log(
      '\nthe demo keeps running for you to explore; Ctrl-C stops it and everything it started',
    );
    await interrupted;
    return 0;
  } finally {
    console.log('stopping the demo');
    await cloud?.stop();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(
    `demo: ${error instanceof Error ? error.message : String(error)}${error instanceof UsageError ? `\n${USAGE}` : ''}`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
