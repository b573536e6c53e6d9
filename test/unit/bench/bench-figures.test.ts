// The pure parts of `npm run bench`: the physical limit, medians, recovery figures and the profile.
// No timing is asserted here; the bench measures.
import { describe, expect, it } from 'vitest';
import { physicalLimit } from '../../../bench/physical-limit.ts';
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
      // The host lost its power: ForceOff and one read of Off, no transition to wait for.
      fencingProofMs: 400,
      firstEvacuateMs: 800,
      rtoMs: 800 + 25 * 1_000 + 15_000,
    });
  });

  it('counts the instances of every failed host against the one control plane, and a partial turn whole', () => {
    const twenty = { ...host(50), failedHosts: 20 };
    expect(physicalLimit(twenty, latencies, { schedulingConcurrency: 3 }).rtoMs).toBe(
      800 + 334 * 1_000 + 15_000,
    );
    expect(physicalLimit(twenty, latencies, { schedulingConcurrency: Infinity }).rtoMs).toBe(
      800 + 1_000 + 15_000,
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
  it("splits an evacuation into pre-checks, Nova's work and verification, and measures the critical path from the first evacuation to the last seen landed", () => {
    const profile = profileOf(1, {
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
      firstEvacuationToLastLandedMs: 6_000,
      lastLandedToLastVerifiedMs: 600,
    });
  });

  it("gives each step in the cloud's milliseconds, the real ones times its time scale", () => {
    const profile = profileOf(4, {
      reportedAt: 0,
      incidentsStartedAt: [20],
      fencingProofsAt: [700],
      evacuations: [{ startedAt: 900, acceptedAt: 950, landedAt: 2_500, closedAt: 3_000 }],
    });
    expect(profile.reportToIncidentMs).toBe(80);
    expect(profile.lastLandedToLastVerifiedMs).toBe(2_000);
  });
});
