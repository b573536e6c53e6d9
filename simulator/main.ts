// `npm run sim -- --hosts N --instances-per-host M [--seed S] [--time-scale X]
// [--nova-max-microversion V] [--ipmi-hosts K] [--pdu-outlets-per-host 1|2]`: starts the simulated cloud, prints one JSON line that
// says where everything is, and runs until SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { startBmcFleet } from './bmc/index.ts';
import { cloudName } from './clouds-yaml.ts';
import { parseMicroversionText } from './nova/microversion.ts';
import type { SimulatorOptions } from './simulator.ts';
import { startSimulator } from './simulator.ts';

class UsageError extends Error {}

const usage =
  'usage: npm run sim -- --hosts N --instances-per-host M [--seed S] [--time-scale X] [--nova-max-microversion 2.93..2.100] [--ipmi-hosts K] [--pdu-outlets-per-host 1|2]';

function integer(name: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text);
  if (text === undefined || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${name} must be a whole number from ${min} to ${max} (got ${text ?? 'nothing'})`,
    );
  }
  return value;
}

function parseCommandLine(argv: readonly string[]): SimulatorOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        hosts: { type: 'string' },
        'instances-per-host': { type: 'string' },
        seed: { type: 'string' },
        'time-scale': { type: 'string' },
        'nova-max-microversion': { type: 'string' },
        'ipmi-hosts': { type: 'string' },
        'pdu-outlets-per-host': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  const timeScale = Number(values['time-scale'] ?? '1');
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new UsageError(
      `--time-scale must be a positive number (got ${values['time-scale'] ?? ''})`,
    );
  }
  // The simulator implements Nova's behaviour from 2.1 up to 2.100; Zed stops at 2.93
  // (docs/nova-and-bmc-facts.md#microversion-negotiation).
  const maxText = values['nova-max-microversion'] ?? '2.95';
  const max = parseMicroversionText(maxText);
  if (max?.major !== 2 || max.minor < 1 || max.minor > 100) {
    throw new UsageError(
      `--nova-max-microversion must look like 2.93 and lie between 2.1 and 2.100 (got ${maxText})`,
    );
  }
  const hosts = integer('hosts', values.hosts, 1, 1000);
  return {
    hosts,
    instancesPerHost: integer('instances-per-host', values['instances-per-host'], 0, 500),
    seed: values.seed === undefined ? 1 : integer('seed', values.seed, 0, 2 ** 32 - 1),
    timeScale,
    novaMaxMicroversion: max.minor,
    startBmcFleet,
    // Each IPMI BMC is an ipmi_sim process; fewer of them start faster on a small machine.
    bmc: {
      ipmiHosts:
        values['ipmi-hosts'] === undefined
          ? hosts
          : integer('ipmi-hosts', values['ipmi-hosts'], 0, hosts),
      // A rack PDU feeding every host, only when asked: hosts' second fencing level.
      ...(values['pdu-outlets-per-host'] === undefined
        ? {}
        : {
            pdu: {
              outletsPerHost: integer(
                'pdu-outlets-per-host',
                values['pdu-outlets-per-host'],
                1,
                2,
              ) as 1 | 2,
            },
          }),
    },
  };
}

async function main(): Promise<void> {
  let options: SimulatorOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`sim: ${error.message}\n${usage}`);
    process.exit(2);
  }
  const sim = await startSimulator(options);
  console.log(
    JSON.stringify({
      keystoneUrl: sim.keystoneUrl,
      novaUrl: sim.novaUrl,
      placementUrl: sim.placementUrl,
      adminUrl: sim.adminUrl,
      credentials: sim.credentials,
      cloudsYaml: sim.cloudsYamlPath,
      cloud: cloudName,
      bmcs: sim.bmcs,
      ...(sim.pdu === undefined ? {} : { pdu: sim.pdu.endpoint }),
    }),
  );
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('sim: error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

await main();
