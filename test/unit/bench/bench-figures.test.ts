// The pure parts of `npm run bench`: the ideal RTO, medians, recovery figures, the profile and the
// report's verdict on the 2 s criterion. No timing is asserted here; the bench measures.
import { describe, expect, it } from 'vitest';
import { idealTimeline, physicalLimit } from '../../../bench/ideal-rto.ts';
import { recoveryTimes } from '../../../bench/measurements.ts';
import { profileOf } from '../../../bench/profile.ts';
import type { CloudLatencies, Scenario } from '../../../bench/scenarios.ts';
import { median } from '../../../bench/statistics.ts';

const latencies: CloudLatencies = {
  novaApiMs: 100,
  evacuateApiMs: 300,
  keystoneMs: 100,
  bmcResponseMs: 200,
  powerOffMs: 5_000,
  schedulingMs: 1_000,
  rebuildMs: 15_000,
};
const host = (instancesPerHost: number): Scenario => ({
  name: `1x${instancesPerHost}`,
  failedHosts: 1,
  instancesPerHost,
  spareHosts: 1,
});

describe('the physical limit', () => {
  it('sends every evacuate at once after force-down, schedules them by Nova’s capacity in turns, and rebuilds in parallel', () => {
    // 100 instances, 4 scheduled at a time for 1 s each: 25 turns, then one 15 s rebuild.
    expect(physicalLimit(host(100), latencies, { schedulingConcurrency: 4 })).toEqual({
      fencingProofMs: 5_200,
      firstEvacuateMs: 5_600,
      rtoMs: 5_600 + 25 * 1_000 + 15_000,
    });
  });

  it('counts the instances of every failed host against the one control plane, and a partial turn whole', () => {
    const twenty = { ...host(50), failedHosts: 20 };
    expect(physicalLimit(twenty, latencies, { schedulingConcurrency: 3 }).rtoMs).toBe(
      5_600 + 334 * 1_000 + 15_000,
    );
    expect(physicalLimit(twenty, latencies, { schedulingConcurrency: Infinity }).rtoMs).toBe(
      5_600 + 1_000 + 15_000,
    );
  });
});

describe('the ideal recovery', () => {
  const perHost = (concurrency: number) => ({ concurrency, evacuateCallsPerSecond: 1_000 });

  it('proves fencing one BMC latency after the power-off ends and evacuates once the service is forced down', () => {
    expect(idealTimeline(host(10), latencies, perHost(10))).toEqual({
      fencingProofMs: 5_200,
      firstEvacuateMs: 5_600,
      rtoMs: 5_300 + 9 + 16_300,
    });
  });

  it('adds one evacuation time per wave of the per-host limit, rounding a partial wave up', () => {
    expect(
      idealTimeline(host(100), latencies, { concurrency: 10, evacuateCallsPerSecond: 1e9 }).rtoMs,
    ).toBeCloseTo(5_300 + 10 * 16_300);
    expect(
      idealTimeline(host(101), latencies, { concurrency: 10, evacuateCallsPerSecond: 1e9 }).rtoMs,
    ).toBeCloseTo(5_300 + 11 * 16_300);
  });

  it('spaces evacuate calls of all hosts by the global rate, hosts taking turns', () => {
    // 20 hosts of 50 at 5 calls a second: the 1000th call starts 999 × 200 ms after the first.
    const ideal = idealTimeline({ ...host(50), failedHosts: 20 }, latencies, {
      concurrency: 10,
      evacuateCallsPerSecond: 5,
    });
    expect(ideal.rtoMs).toBeCloseTo(5_300 + 999 * 200 + 16_300);
    expect(ideal.firstEvacuateMs).toBeCloseTo(5_300 + 19 * 200 + 300);
  });

  it('does not depend on how many hosts fail while the rate does not bind, since hosts recover in parallel', () => {
    expect(
      idealTimeline({ ...host(50), failedHosts: 5 }, latencies, {
        concurrency: 10,
        evacuateCallsPerSecond: 1e9,
      }).rtoMs,
    ).toBeCloseTo(
      idealTimeline(host(50), latencies, { concurrency: 10, evacuateCallsPerSecond: 1e9 }).rtoMs,
    );
  });
});

describe('the median', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('refuses no values rather than inventing one', () => {
    expect(() => median([])).toThrow(/at least one repeat/);
  });
});

describe('recovery figures', () => {
  const evacuates = [
    { instance: 'a', sourceHost: 'cmp-01', at: 1_400 },
    { instance: 'b', sourceHost: 'cmp-02', at: 1_900 },
    { instance: 'c', sourceHost: 'cmp-01', at: 2_400 },
  ];
  const times = recoveryTimes(
    {
      reportedAt: 1_000,
      fencingProofsAt: [1_200, 1_300],
      evacuates,
      recoveredAt: 5_000,
      landings: new Map([
        ['a', 3_000],
        ['b', 4_000],
        ['c', 4_500],
      ]),
    },
    10,
  );

  it('reports the slowest host: its fencing proof and its first evacuate', () => {
    expect(times).toMatchObject({ fencingProofMs: 3_000, firstEvacuateMs: 9_000 });
  });

  it("measures the RTO to the recovery and Nova's last landing apart, scaled", () => {
    expect(times).toMatchObject({ rtoMs: 40_000, lastLandingMs: 35_000 });
  });

  it('counts evacuates per second between the first and the last accepted', () => {
    expect(times.evacuateCalls).toBe(3);
    expect(times.evacuateCallsPerSecond).toBeCloseTo(2 / 10);
  });
});

describe('the profile', () => {
  it("splits an evacuation into pre-checks, Nova's work and verification, and finds the slot each later one took over", () => {
    const profile = profileOf({
      reportedAt: 0,
      incidentsStartedAt: [20],
      fencingProofsAt: [700],
      evacuations: [
        { startedAt: 900, acceptedAt: 950, landedAt: 2_500, closedAt: 3_000 },
        { startedAt: 3_050, acceptedAt: 3_100, landedAt: 4_700, closedAt: 5_200 },
        { startedAt: 5_300, acceptedAt: 5_360, landedAt: 6_900, closedAt: 7_500 },
      ],
    });
    expect(profile).toEqual({
      reportToIncidentMs: 20,
      incidentToFencingProofMs: 680,
      fencingProofToFirstEvacuationMs: 200,
      evacuationToAcceptedMs: 50,
      acceptedToLandedMs: 1_550,
      landedToVerifiedMs: 500,
      slotTurnoverMs: 75,
    });
  });
});
