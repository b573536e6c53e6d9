// The order and the verdicts of fencing levels (docs/design.md#fencing-levels), with drivers that
// only say what they are told: which level is tried, what the proof names, and what every level
// failing says.
import { describe, expect, it } from 'vitest';
import { LazarusError } from '../../../../activities/errors.ts';
import { combinedPowerState } from '../../../../activities/fencing/combined-power-state.ts';
import { FenceDevicesTogether } from '../../../../activities/fencing/fence-devices-together.ts';
import type {
  FenceDeviceProtocol,
  FenceDriver,
  PowerState,
} from '../../../../activities/fencing/fence-driver.ts';
import type { FencingLevel } from '../../../../activities/fencing/fencing-levels.ts';
import { fenceThroughLevels } from '../../../../activities/fencing/fencing-levels.ts';

const TIMING = { powerOffTimeoutMs: 50, pollIntervalMs: 1 };

/** A device whose power reads `reads` in turn (the last one from then on); `off` sets it Off when obeyed. */
function device(
  protocol: FenceDeviceProtocol,
  behaviour: { reads?: PowerState[]; obeysOff?: boolean; unreachable?: boolean } = {},
) {
  const reads = [...(behaviour.reads ?? ['On'])];
  const log: string[] = [];
  let isOff = false;
  const driver: FenceDriver<FenceDeviceProtocol> = {
    protocol,
    address: `${protocol}.example`,
    powerOffCommand: 'off',
    powerState() {
      log.push('read');
      if (behaviour.unreachable === true)
        return Promise.reject(new LazarusError('BmcUnavailable', `${protocol} did not answer`));
      if (isOff) return Promise.resolve('Off');
      return Promise.resolve((reads.length > 1 ? reads.shift() : reads[0]) ?? 'Unknown');
    },
    powerOff() {
      log.push('off');
      if (behaviour.obeysOff !== false) isOff = true;
      return Promise.resolve();
    },
    powerOn: () => Promise.resolve(),
    close() {
      log.push('close');
      return Promise.resolve();
    },
  };
  return { driver, log };
}

function level(
  number: number,
  kind: 'bmc' | 'pdu',
  driver: FenceDriver<FenceDeviceProtocol>,
): FencingLevel {
  return {
    level: number,
    device: kind,
    describedAs: `${driver.protocol} ${driver.address}`,
    connect: () => Promise.resolve(driver),
  };
}

/** What fencing through `levels` failed with (undefined when it gave a proof). */
function failureOf(host: string, levels: FencingLevel[]): Promise<LazarusError | undefined> {
  return fenceThroughLevels(host, levels, TIMING).then(
    () => undefined,
    (error: unknown) => error as LazarusError,
  );
}

describe('fencing levels', () => {
  it('proves the host Off through its BMC and never connects to the PDU when the BMC works', async () => {
    const bmc = device('redfish');
    let isPduConnected = false;
    const pdu: FencingLevel = {
      level: 2,
      device: 'pdu',
      describedAs: 'redfish-pdu pdu-a outlet A1',
      connect: () => {
        isPduConnected = true;
        return Promise.resolve(device('redfish-pdu').driver);
      },
    };
    const proof = await fenceThroughLevels('cmp-07', [level(1, 'bmc', bmc.driver), pdu], TIMING);
    expect(proof).toMatchObject({
      level: 1,
      device: 'bmc',
      protocol: 'redfish',
      powerState: 'Off',
    });
    expect(proof).not.toHaveProperty('earlierLevels');
    expect(isPduConnected).toBe(false);
    expect(bmc.log.at(-1)).toBe('close');
  });

  it('fences through the PDU when the BMC cannot be reached, and records why level 1 did not', async () => {
    const bmc = device('redfish', { unreachable: true });
    const pdu = device('redfish-pdu');
    const proof = await fenceThroughLevels(
      'cmp-07',
      [level(1, 'bmc', bmc.driver), level(2, 'pdu', pdu.driver)],
      TIMING,
    );
    expect(proof).toMatchObject({
      level: 2,
      device: 'pdu',
      protocol: 'redfish-pdu',
      bmc: 'redfish-pdu.example',
      powerState: 'Off',
      earlierLevels: [
        {
          level: 1,
          device: 'bmc',
          describedAs: 'redfish redfish.example',
          type: 'BmcUnavailable',
          reason: 'fencing host cmp-07: redfish did not answer',
        },
      ],
    });
    expect(bmc.log).toEqual(['read', 'close']);
    expect(pdu.log).toEqual(['read', 'off', 'read', 'close']);
  });

  it('goes on to the PDU when the BMC obeys nothing, and takes only the PDU read as proof', async () => {
    const bmc = device('ipmi', { obeysOff: false });
    const pdu = device('redfish-pdu');
    const proof = await fenceThroughLevels(
      'cmp-07',
      [level(1, 'bmc', bmc.driver), level(2, 'pdu', pdu.driver)],
      TIMING,
    );
    expect(proof.level).toBe(2);
    expect(proof.earlierLevels?.[0]).toMatchObject({ level: 1, type: 'FencingUnproven' });
    expect(pdu.log).toContain('off');
  });

  it('fails with every level named when no level proves Off, unproven when no device may answer later', async () => {
    const failure = await failureOf('cmp-07', [
      level(1, 'bmc', device('redfish', { obeysOff: false }).driver),
      level(2, 'pdu', device('redfish-pdu', { obeysOff: false }).driver),
    ]);
    expect(failure).toBeInstanceOf(LazarusError);
    expect(failure).toMatchObject({ type: 'FencingUnproven', retryable: false });
    expect(failure?.message).toMatch(
      /^fencing host cmp-07 failed at every level: level 1 \(redfish redfish\.example\): fencing host cmp-07 via Redfish .*; level 2 \(redfish-pdu redfish-pdu\.example\): fencing host cmp-07 via Redfish PDU .*check the PDU.*; check those devices, then retry or confirm manual fencing$/,
    );
    expect(failure?.details).toMatchObject({
      host: 'cmp-07',
      levels: [
        { level: 1, type: 'FencingUnproven' },
        { level: 2, type: 'FencingUnproven' },
      ],
    });
  });

  it('fails retryably when a level that failed may answer on the next attempt', async () => {
    const failure = await failureOf('cmp-07', [
      level(1, 'bmc', device('redfish', { obeysOff: false }).driver),
      level(2, 'pdu', device('redfish-pdu', { unreachable: true }).driver),
    ]);
    expect(failure).toMatchObject({ type: 'BmcUnavailable', retryable: true });
  });

  it('fails a host with one level exactly as that level failed', async () => {
    const failure = await failureOf('cmp-07', [
      level(1, 'bmc', device('redfish', { unreachable: true }).driver),
    ]);
    expect(failure).toMatchObject({
      type: 'BmcUnavailable',
      message: 'fencing host cmp-07: redfish did not answer',
    });
  });

  it('does not hide a bug behind the next level', async () => {
    const broken: FencingLevel = {
      level: 1,
      device: 'bmc',
      describedAs: 'broken',
      connect: () => Promise.reject(new TypeError('a bug')),
    };
    const pdu = device('redfish-pdu');
    await expect(
      fenceThroughLevels('cmp-07', [broken, level(2, 'pdu', pdu.driver)], TIMING),
    ).rejects.toThrow(TypeError);
    expect(pdu.log).toEqual([]);
  });

  it('says which devices a host lacks when it has no level at all', async () => {
    await expect(fenceThroughLevels('cmp-99', [], TIMING)).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
    });
  });
});

describe('the power of a host fed by several outlets', () => {
  it('is Off only when every outlet reads Off', () => {
    expect(combinedPowerState(['Off', 'Off'])).toBe('Off');
    expect(combinedPowerState(['Off', 'On'])).toBe('On');
    expect(combinedPowerState(['On', 'Off'])).toBe('On');
    expect(combinedPowerState(['Off', 'Unknown'])).toBe('Unknown');
    expect(combinedPowerState([])).toBe('Unknown');
  });

  it('is PoweringOff only when every outlet not yet Off is on its way, so no outlet is left On', () => {
    expect(combinedPowerState(['Off', 'PoweringOff'])).toBe('PoweringOff');
    expect(combinedPowerState(['PoweringOff', 'On'])).toBe('On');
  });

  it('keeps a dual-feed host unproven while one PDU leaves its outlet On', async () => {
    const feedA = device('redfish-pdu');
    const feedB = device('redfish-pdu', { obeysOff: false });
    const both = new FenceDevicesTogether([feedA.driver, feedB.driver]);
    const failure = await failureOf('cmp-07', [level(1, 'pdu', both)]);
    expect(failure).toMatchObject({ type: 'FencingUnproven' });
    expect(feedA.log).toContain('off');
    expect(feedB.log).toContain('off');
    expect(feedA.log.at(-1)).toBe('close');
    expect(feedB.log.at(-1)).toBe('close');
  });
});
