import { describe, expect, it } from 'vitest';
import {
  assessHost,
  DEFAULT_DETECTOR_RULES,
  needsBmc,
  type DetectorRules,
  type HostObservation,
} from '../../../../apps/detector/detector-rules.ts';

const nova = (
  state: 'up' | 'down',
  extra: { isDisabled?: boolean; isForcedDown?: boolean } = {},
): HostObservation['nova'] => ({
  isKnown: true,
  state,
  isDisabled: extra.isDisabled ?? false,
  isForcedDown: extra.isForcedDown ?? false,
  lastHeartbeat: '2026-11-22T01:00:00.000Z',
});
const answering = (power: 'On' | 'Off') => ({
  isReachable: true as const,
  power,
  protocol: 'ipmi' as const,
  address: '10.0.0.7:623',
});
const silent = { isReachable: false as const, why: 'the IPMI BMC at 10.0.0.7:623 does not answer' };
const rules = (overrides: Partial<DetectorRules>): DetectorRules => ({
  ...DEFAULT_DETECTOR_RULES,
  ...overrides,
});

describe("the detector's rules", () => {
  it('by default reports a host Nova says is down whose BMC answers, and names both in the evidence', () => {
    const assessment = assessHost(
      { host: 'cmp-07', nova: nova('down'), bmc: answering('On') },
      DEFAULT_DETECTOR_RULES,
    );
    expect(assessment).toEqual({
      kind: 'failing',
      evidence:
        'Nova reports its nova-compute down (last heartbeat 2026-11-22T01:00:00.000Z); its ipmi BMC at 10.0.0.7:623 answers: power On',
    });
  });

  it('holds back a down host whose BMC does not answer while the rules require one, saying why', () => {
    const assessment = assessHost(
      { host: 'cmp-07', nova: nova('down'), bmc: silent },
      DEFAULT_DETECTOR_RULES,
    );
    expect(assessment).toMatchObject({
      kind: 'unconfirmed',
      missing: 'the rules require a BMC that answers, so that fencing can prove the host off',
    });
    expect(
      assessHost(
        { host: 'cmp-07', nova: nova('down'), bmc: silent },
        rules({ isBmcReachableRequired: false }),
      ),
    ).toMatchObject({ kind: 'failing' });
  });

  it('sees a host Nova says is up as healthy, and does not ask its BMC', () => {
    expect(assessHost({ host: 'cmp-07', nova: nova('up') }, DEFAULT_DETECTOR_RULES)).toEqual({
      kind: 'healthy',
    });
    expect(needsBmc(DEFAULT_DETECTOR_RULES, nova('up'))).toBe(false);
    expect(needsBmc(DEFAULT_DETECTOR_RULES, nova('down'))).toBe(true);
    expect(needsBmc(rules({ isBmcReachableRequired: false }), nova('down'))).toBe(false);
  });

  it('ignores disabled and forced-down services unless told not to', () => {
    expect(
      assessHost(
        { host: 'cmp-07', nova: nova('down', { isDisabled: true }), bmc: answering('On') },
        DEFAULT_DETECTOR_RULES,
      ),
    ).toMatchObject({ kind: 'ignored', why: expect.stringContaining('disabled') as string });
    expect(
      assessHost(
        {
          host: 'cmp-07',
          nova: nova('down', { isForcedDown: true, isDisabled: true }),
          bmc: answering('Off'),
        },
        DEFAULT_DETECTOR_RULES,
      ),
    ).toMatchObject({ kind: 'ignored', why: expect.stringContaining('forced down') as string });
    expect(needsBmc(DEFAULT_DETECTOR_RULES, nova('down', { isDisabled: true }))).toBe(false);
    expect(
      assessHost(
        { host: 'cmp-07', nova: nova('down', { isDisabled: true }), bmc: answering('On') },
        rules({ shouldIgnoreDisabled: false }),
      ),
    ).toMatchObject({ kind: 'failing' });
  });

  it('with bmcPowerOff alone, reports a powered-off host before Nova notices, and reads every BMC', () => {
    const powerOff = rules({
      isNovaDownRequired: false,
      isBmcReachableRequired: false,
      isBmcPowerOffRequired: true,
    });
    expect(needsBmc(powerOff, nova('up'))).toBe(true);
    expect(
      assessHost({ host: 'cmp-07', nova: nova('up'), bmc: answering('Off') }, powerOff),
    ).toMatchObject({ kind: 'failing' });
    expect(
      assessHost({ host: 'cmp-07', nova: nova('up'), bmc: answering('On') }, powerOff),
    ).toEqual({ kind: 'healthy' });
    expect(assessHost({ host: 'cmp-07', nova: nova('up'), bmc: silent }, powerOff)).toEqual({
      kind: 'healthy',
    });
  });

  it('with novaDown and bmcPowerOff, holds back a down host whose BMC still says On', () => {
    const both = rules({ isBmcPowerOffRequired: true });
    expect(
      assessHost({ host: 'cmp-07', nova: nova('down'), bmc: answering('On') }, both),
    ).toMatchObject({
      kind: 'unconfirmed',
      missing: 'the rules require its BMC to report power Off',
    });
    expect(
      assessHost({ host: 'cmp-07', nova: nova('down'), bmc: answering('Off') }, both),
    ).toMatchObject({ kind: 'failing' });
  });

  it('concludes nothing about a service whose cell Nova cannot reach', () => {
    expect(
      assessHost({ host: 'cmp-07', nova: { isKnown: false } }, DEFAULT_DETECTOR_RULES),
    ).toMatchObject({ kind: 'unknown' });
    expect(needsBmc(DEFAULT_DETECTOR_RULES, { isKnown: false })).toBe(false);
  });
});
