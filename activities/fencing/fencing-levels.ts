// Fencing levels, as in Pacemaker's fencing topology: a host's devices in order (its BMC, then the
// PDU outlets feeding it), each tried with fenceHost's safety pattern until one proves the power
// Off. The proof names the level that fenced the host and why the earlier ones did not; a device's
// failure is never a proof, and neither is another device's Off (docs/design.md#fencing-levels).
import { LazarusError } from '../errors.ts';
import type { FenceDeviceKind, FenceDeviceProtocol, FenceDriver } from './fence-driver.ts';
import type { FencingLevelFailure, FencingProof, FencingTiming } from './fence-host.ts';
import { fenceHost } from './fence-host.ts';

export interface FencingLevel {
  /** 1 for the first device tried. */
  level: number;
  device: FenceDeviceKind;
  /** The device's protocol and address, for the record when it cannot even be reached. */
  describedAs: string;
  /** Builds the device's driver (reading its password now); the caller closes it. */
  connect(): Promise<FenceDriver<FenceDeviceProtocol>>;
}

export async function fenceThroughLevels(
  host: string,
  levels: readonly FencingLevel[],
  timing: FencingTiming,
): Promise<FencingProof> {
  if (levels.length === 0) throw noFencingDevice(host);
  const failed: { level: FencingLevel; error: LazarusError }[] = [];
  for (const level of levels) {
    let driver: FenceDriver<FenceDeviceProtocol> | undefined;
    try {
      driver = await level.connect();
      const proof = await fenceHost(host, driver, timing);
      const earlierLevels = failed.map(({ level: tried, error }) => levelFailure(tried, error));
      return {
        ...proof,
        level: level.level,
        device: level.device,
        ...(earlierLevels.length === 0 ? {} : { earlierLevels }),
      };
    } catch (error) {
      // Anything but a typed failure is a bug, not a device's answer: it is not hidden by going on.
      if (!(error instanceof LazarusError)) throw error;
      failed.push({ level, error });
    } finally {
      await driver?.close();
    }
  }
  throw everyLevelFailed(host, failed);
}

export function levelFailure(level: FencingLevel, error: LazarusError): FencingLevelFailure {
  return {
    level: level.level,
    device: level.device,
    describedAs: level.describedAs,
    type: error.type,
    reason: error.message,
  };
}

/**
 * One level failing is that level's own failure, unchanged (a host with only a BMC fails as it always
 * did). Several: one failure naming each level's reason, retryable when any level's was, since that
 * device may answer on the next attempt.
 */
export function everyLevelFailed(
  host: string,
  failed: readonly { level: FencingLevel; error: LazarusError }[],
): LazarusError {
  const [only] = failed;
  if (failed.length === 1 && only !== undefined) return only.error;
  const levels = failed.map(({ level, error }) => levelFailure(level, error));
  const isAnyRetryable = failed.some(({ error }) => error.retryable);
  return new LazarusError(
    isAnyRetryable ? 'BmcUnavailable' : 'FencingUnproven',
    `fencing host ${host} failed at every level: ${levels
      .map(({ level, describedAs, reason }) => `level ${level} (${describedAs}): ${reason}`)
      .join('; ')}; check those devices, then retry or confirm manual fencing`,
    { host, levels },
  );
}

/** The failure for a host that neither the BMC inventory nor any PDU covers. */
export function noFencingDevice(host: string): LazarusError {
  return new LazarusError(
    'ConfigurationInvalid',
    `host ${host} has no BMC entry and no PDU outlet in the configuration, so it cannot be fenced; add it under bmcs (by host, hosts or pattern) or give it outlets under pdus, then retry fencing or confirm manual fencing`,
    { host },
  );
}
