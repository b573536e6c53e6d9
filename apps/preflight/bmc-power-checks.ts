// Reads every host's power state through its BMC, a bounded number at a time, so a preflight of
// hundreds of hosts neither takes hours nor floods the management network.
import { LazarusError } from '../../activities/errors.ts';
import type {
  FenceDeviceProtocol,
  FenceDriver,
  FencingSettings,
  PowerState,
} from '../../activities/fencing/index.ts';
import { createFenceDriver } from '../../activities/fencing/index.ts';
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import type { HostRow } from './host-checks.ts';
import { powerProblem } from './host-checks.ts';

export const DEFAULT_BMC_CONCURRENCY = 8;

/** The power state a device reads, its driver closed whatever happens. */
export async function readPowerThrough(
  connect: () => Promise<FenceDriver<FenceDeviceProtocol>>,
): Promise<PowerState> {
  const driver = await connect();
  try {
    return await driver.powerState();
  } finally {
    await driver.close();
  }
}

export async function checkBmcPower(
  rows: readonly HostRow[],
  settings: FencingSettings,
  concurrency: number,
  warn: (message: string) => void,
): Promise<void> {
  // A host Nova does not know is reported as such; reading its BMC would prove nothing.
  const readable = rows.filter((row) => row.bmc !== undefined && row.novaCompute !== null);
  await mapWithConcurrency(readable, concurrency, (row) => readPower(row, settings, warn));
}

async function readPower(
  row: HostRow,
  settings: FencingSettings,
  warn: (message: string) => void,
): Promise<void> {
  const { bmc } = row;
  if (bmc === undefined) return;
  try {
    row.power = await readPowerThrough(() =>
      createFenceDriver(bmc, { host: row.host, settings, warn }),
    );
    const problem = powerProblem(row, row.power);
    if (problem !== undefined) row.problems.push(problem);
  } catch (error) {
    if (!(error instanceof LazarusError)) throw error;
    row.problems.push(`${row.host}: ${error.message}`);
  }
}
