// Reads the PDU outlets of every host that has some (its second fencing level,
// docs/design.md#fencing-levels), as fencing would reach them: a PDU that does not answer, refuses
// the credentials or has no such outlet is found before the BMC fails on the day it matters.
import { LazarusError } from '../../activities/errors.ts';
import type { FencingSettings, HostOutlets } from '../../activities/fencing/index.ts';
import { fencingLevelsOf } from '../../activities/fencing/index.ts';
import { mapWithConcurrency } from '../../lib/bounded-concurrency.ts';
import { readPowerThrough } from './bmc-power-checks.ts';
import type { HostRow } from './host-checks.ts';

export async function checkPduOutlets(
  rows: readonly HostRow[],
  pdus: { outletsFor(host: string): readonly HostOutlets[] },
  settings: FencingSettings,
  concurrency: number,
  warn: (message: string) => void,
): Promise<void> {
  const fed = rows.filter(
    (row) => row.novaCompute !== null && pdus.outletsFor(row.host).length > 0,
  );
  await mapWithConcurrency(fed, concurrency, async (row) => {
    // The outlets alone: the BMC level is preflight's other check.
    const [level] = fencingLevelsOf(undefined, pdus.outletsFor(row.host), {
      host: row.host,
      settings,
      warn,
    });
    if (level === undefined) return;
    row.pduPower = null;
    try {
      row.pduPower = await readPowerThrough(() => level.connect());
    } catch (error) {
      if (!(error instanceof LazarusError)) throw error;
      row.problems.push(`${row.host}: its PDU level (${level.describedAs}): ${error.message}`);
      return;
    }
    if (row.pduPower === 'Off' && row.isComputeUp)
      row.problems.push(
        `${level.describedAs} read Off while nova-compute on ${row.host} is up: the outlets probably feed another machine, and fencing through them would prove nothing; check the outlet ids under pdus`,
      );
  });
}
