// fenceHost: the safety pattern of fence_ipmilan (docs/nova-and-bmc-facts.md#the-fence-agents-pattern) for any FenceDriver — read the
// power state; if it is already Off that is the proof; otherwise send one power-off, then read the
// state back until it is Off or the deadline passes. A command that "succeeded" is never proof.
import { pollUntil, PollTimeoutError } from '../../lib/poll-until.ts';
import { LazarusError } from '../errors.ts';
import type {
  FenceDeviceKind,
  FenceDeviceProtocol,
  FenceDriver,
  PowerState,
} from './fence-driver.ts';
import { deviceKindOf, protocolLabel } from './fence-driver.ts';

export interface FencingTiming {
  /** How long after the power-off command the state may take to read Off. */
  powerOffTimeoutMs: number;
  /** The pause between two power-state reads; the only sleep in fencing. */
  pollIntervalMs: number;
}

/** A fencing level that did not fence the host, and why (docs/design.md#fencing-levels). */
export interface FencingLevelFailure {
  level: number;
  device: FenceDeviceKind;
  /** The device's protocol and address ("redfish https://bmc-cmp-07.mgmt.example"), never a credential. */
  describedAs: string;
  /** The failure's type (BmcUnavailable, FencingUnproven, …) and its operator message. */
  type: string;
  reason: string;
}

/**
 * Evidence that a host is powered off: the device that fenced it read back Off. Names and numbers
 * only, no secret.
 */
export interface FencingProof {
  host: string;
  protocol: FenceDeviceProtocol;
  /** Where the device that read back Off is (historically always a BMC, hence the name). */
  bmc: string;
  /** The fencing level that fenced the host (1 is the first tried); absent in proofs made before levels existed, which were level 1. */
  level?: number;
  /** What kind of device fenced it: the host's BMC, or the PDU outlets feeding it. */
  device?: FenceDeviceKind;
  /** The levels tried before this one, each with why it did not fence the host. */
  earlierLevels?: FencingLevelFailure[];
  powerState: 'Off';
  /** When the BMC reported Off (ISO 8601). */
  readAt: string;
  /** Off at the first read, so no power-off was sent. */
  wasAlreadyOff: boolean;
  /** How many power-state reads it took. */
  attempts: number;
  elapsedMs: number;
}

/** Off was read (before or after the power-off), or the deadline passed with this last reading. */
type ReadBack = { wasAlreadyOff: boolean } | { last: PowerState | LazarusError; offSentAt: number };

export async function fenceHost(
  host: string,
  driver: FenceDriver<FenceDeviceProtocol>,
  timing: FencingTiming,
): Promise<FencingProof> {
  const startedAt = Date.now();
  let attempts = 0;
  const readPower = (): Promise<PowerState> => {
    attempts += 1;
    return driver.powerState();
  };
  let outcome: ReadBack;
  try {
    outcome = await powerOffAndReadBack(driver, readPower, timing);
  } catch (error) {
    if (!(error instanceof LazarusError)) throw error;
    throw new LazarusError(
      error.type,
      `fencing host ${host}: ${error.message}`,
      { host, ...error.details },
      { cause: error },
    );
  }
  const elapsedMs = Date.now() - startedAt;
  if ('wasAlreadyOff' in outcome) {
    return {
      host,
      protocol: driver.protocol,
      bmc: driver.address,
      powerState: 'Off',
      readAt: new Date().toISOString(),
      wasAlreadyOff: outcome.wasAlreadyOff,
      attempts,
      elapsedMs,
    };
  }
  throw unproven(host, driver, outcome.last, {
    attempts,
    elapsedMs,
    sinceOffMs: Date.now() - outcome.offSentAt,
  });
}

async function powerOffAndReadBack(
  driver: FenceDriver<FenceDeviceProtocol>,
  readPower: () => Promise<PowerState>,
  timing: FencingTiming,
): Promise<ReadBack> {
  const initial = await readPower();
  if (initial === 'Off') return { wasAlreadyOff: true };
  // A BMC already powering off needs no second command; a second one may be refused
  // (docs/nova-and-bmc-facts.md#status-codes-and-tasks: 409).
  if (initial !== 'PoweringOff') await driver.powerOff();
  const offSentAt = Date.now();
  let last: PowerState | LazarusError = initial;
  const readOff = async (): Promise<true | undefined> => {
    try {
      const state = await readPower();
      if (state === 'Off') return true;
      last = state;
    } catch (error) {
      // A BMC that drops one status read may answer the next; wrong credentials will not.
      if (!(error instanceof LazarusError) || !error.retryable) throw error;
      last = error;
    }
    return undefined;
  };
  try {
    // The state was read just before the command, so the first read-back waits one interval.
    await pollUntil('the power state to read Off', readOff, {
      timeoutMs: timing.powerOffTimeoutMs,
      intervalMs: timing.pollIntervalMs,
      pauseFirst: true,
    });
    return { wasAlreadyOff: false };
  } catch (error) {
    // Not an error yet: the caller turns the last reading into FencingUnproven.
    if (error instanceof PollTimeoutError) return { last, offSentAt };
    throw error;
  }
}

function unproven(
  host: string,
  driver: FenceDriver<FenceDeviceProtocol>,
  last: PowerState | LazarusError,
  counts: { attempts: number; elapsedMs: number; sinceOffMs: number },
): LazarusError {
  const after = `${formatSeconds(counts.sinceOffMs)} after ${driver.powerOffCommand}`;
  const what =
    last instanceof LazarusError
      ? `power state could not be read ${after} (last error: ${last.message})`
      : `power state still "${last}" ${after}`;
  return new LazarusError(
    'FencingUnproven',
    `fencing host ${host} via ${protocolLabel(driver.protocol)} at ${driver.address}: ${what}; check the ${deviceKindOf(driver.protocol).toUpperCase()}, then retry or confirm manual fencing`,
    {
      host,
      protocol: driver.protocol,
      bmc: driver.address,
      lastPowerState: last instanceof LazarusError ? null : last,
      attempts: counts.attempts,
      elapsedMs: counts.elapsedMs,
    },
  );
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds >= 10 ? Math.round(seconds) : Number(seconds.toFixed(1))} s`;
}
