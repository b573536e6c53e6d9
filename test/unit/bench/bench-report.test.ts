// The bench's report and chart from made-up results: medians, the physical limit, ratios to Lazarus,
// the goals, and at 1x100 where the time goes.
import { describe, expect, it } from 'vitest';
import type { BaselineRun } from '../../../bench/baselines/run-baseline.ts';
import { renderChart } from '../../../bench/chart.ts';
import type { LazarusRun } from '../../../bench/lazarus-run.ts';
import { renderReport } from '../../../bench/report.ts';
import type { BenchResults } from '../../../bench/results.ts';
import { CURRENT_SETTINGS } from '../../../bench/results.ts';

const times = {
  fencingProofMs: 800,
  firstEvacuateMs: 1_500,
  lastLandingMs: 0,
  evacuateCalls: 100,
  evacuateCallsPerSecond: 5,
};

function lazarus(rtoMs: number, lastLandedToLastVerifiedMs: number): LazarusRun {
  return {
    ...times,
    rtoMs,
    outcomes: { landed: 100 },
    instances: 100,
    workerPeakRssKb: 409_600,
    workerCpuSeconds: 12,
    serverPeakRssKb: 153_600,
    historyEventsPerIncident: 2_500,
    historyBytesPerIncident: 1_024_000,
    novaRequestsPerInstance: 6.5,
    novaRequestsByKind: { 'POST servers/{id}/action': 1, 'GET os-migrations': 5.5 },
    exactlyOnce: { maxEvacuatesPerInstance: 1, violations: [] },
    profile: {
      reportToIncidentMs: 20,
      incidentToFencingProofMs: 800,
      fencingProofToFirstEvacuationMs: 300,
      evacuationToAcceptedMs: 60,
      acceptedToLandedMs: 1_600,
      landedToVerifiedMs: 300,
      firstEvacuationToLastLandedMs: 5_000,
      lastLandedToLastVerifiedMs,
    },
  };
}

const baseline = (rtoMs: number): BaselineRun => ({
  ...times,
  rtoMs,
  failedInstances: 0,
  novaRequestsPerInstance: 2,
});

/** 1x100 with a physical limit of 6.25 s, and Lazarus runs whose median RTO is `rtoMs`; milliseconds of each cloud. */
function resultsWith(rtoMs: number, lastLandedToLastVerifiedMs: number): BenchResults {
  return {
    date: '2026-11-21',
    repeats: 3,
    durationMs: 600_000,
    loadAtEnd: 2,
    settings: CURRENT_SETTINGS,
    machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 24, node: 'v20.0.0', loadAtStart: 1 },
    scenarios: [
      {
        scenario: { name: '1x100', failedHosts: 1, instancesPerHost: 100, spareHosts: 2 },
        limit: { fencingProofMs: 260, firstEvacuateMs: 280, rtoMs: 6_250 },
        lazarus: [
          lazarus(rtoMs + 5_000, lastLandedToLastVerifiedMs),
          lazarus(rtoMs, lastLandedToLastVerifiedMs),
          lazarus(rtoMs - 1_000, lastLandedToLastVerifiedMs),
        ],
        masakari: [baseline(80_000), baseline(84_200), baseline(90_000)],
        pacemaker: [baseline(20_000), baseline(20_200), baseline(21_000)],
      },
    ],
    crashes: [],
  };
}

/** 1x100-crash: 6 s as is, `killedRtoMs` with a worker killed 3 s after the report. */
function withCrash(killedRtoMs: number, maxEvacuatesPerInstance = 1): BenchResults {
  const run = (rtoMs: number, killed: boolean): LazarusRun => ({
    ...lazarus(rtoMs, 400),
    exactlyOnce: { maxEvacuatesPerInstance, violations: [] },
    ...(killed ? { workerKilledAtMs: 3_000 } : {}),
  });
  const scenario = { name: '1x100-2w', failedHosts: 1, instancesPerHost: 100, spareHosts: 2 };
  return {
    ...resultsWith(25_000, 400),
    crashes: [
      {
        crash: { name: '1x100-crash', scenario: { ...scenario, workers: 2 } },
        undisturbed: [run(6_000, false)],
        killed: [run(killedRtoMs, true)],
      },
    ],
  };
}

describe('the bench report', () => {
  it('shows the median RTO, the physical limit, the excess over it and each re-enactment as a ratio to Lazarus', () => {
    const report = renderReport(resultsWith(25_000, 400));
    expect(report).toContain('| 1x100 | 25.00 | 6.25 | **300 %** |');
    expect(report).toContain('| 84.20 | 3.37× | 20.20 | 0.81× |');
    expect(report).toContain('Test CPU, 2 cores, 24 GiB, Node v20.0.0');
  });

  it('reports the Nova requests per evacuated instance of every procedure', () => {
    expect(renderReport(resultsWith(25_000, 400))).toContain('| 6.50, 2.00, 2.00 |');
  });

  it('says where the requests go, by method and route, the largest first', () => {
    expect(renderReport(resultsWith(25_000, 400))).toContain(
      '| scenario | `GET os-migrations` | `POST servers/{id}/action` |\n|---|---|---|\n| 1x100 | 5.50 | 1.00 |',
    );
  });

  it("reports the workers' CPU and peak memory per 1,000 instances and the history per incident", () => {
    // 400 MiB and 12 CPU seconds for 100 instances; 2,500 events and 1,000 KiB per incident.
    expect(renderReport(resultsWith(25_000, 400))).toContain(
      '| 1x100 | 1 | 400 | 4000 | 120.0 | 150 | 2500 | 1000 |',
    );
  });

  it('says what a worker SIGKILLed mid-evacuation added to the RTO, and whether exactly once held', () => {
    const report = renderReport(withCrash(14_500));
    expect(report).toContain('| 1x100-crash | 6.00 | 14.50 | **8.50** | 3.00 | 1 | none |');
    expect(report).toContain(
      '| 1x100-crash | a worker SIGKILLed mid-evacuation adds ≤ 10 s, exactly once intact | 8.50 s, exactly once | met |',
    );
    expect(renderReport(withCrash(17_000))).toContain('| 11.00 s, exactly once | **missed** |');
    expect(renderReport(withCrash(14_500, 2))).toContain('| 8.50 s, **I2 broken** | **missed** |');
  });

  it('leaves out the scenario tables when only the crash scenario ran', () => {
    const report = renderReport({ ...withCrash(14_500), scenarios: [] });
    expect(report).not.toContain('## Recovery time');
    expect(report).toContain('## Recovery with a crash in it');
  });

  it('says of each goal whether it was met, and by how much', () => {
    const report = renderReport(resultsWith(25_000, 400));
    expect(report).toContain('| 1x100 | Pacemaker ÷ Lazarus ≥ 1.0× | 0.81× | **missed** |');
    expect(report).toContain('| 1x100 | over the physical limit ≤ 10 % | 300 % | **missed** |');
    expect(report).toContain('| 1x100 | Nova requests per instance ≤ 3 | 6.50 | **missed** |');
    const fast = renderReport(resultsWith(6_500, 0));
    expect(fast).toContain('| 1x100 | Pacemaker ÷ Lazarus ≥ 1.0× | 3.11× | met |');
    expect(fast).toContain('| 1x100 | over the physical limit ≤ 10 % | 4 % | met |');
  });

  it('names the largest share of the time over the limit at 1x100 and its fix', () => {
    const report = renderReport(resultsWith(25_000, 4_000));
    expect(report).toContain('Lazarus took 18.75 s more than the physical limit');
    expect(report).toMatch(
      /the largest share is "last landed → last verified" \(4\.00 s\): the landing watch's next look/,
    );
  });

  it('draws one bar per procedure for every scenario, labelled with its seconds', () => {
    const chart = renderChart(resultsWith(25_000, 400));
    expect(chart.match(/<rect /g)).toHaveLength(4);
    expect(chart).toContain('>25.0 s<');
    expect(chart).toContain('>84.2 s<');
  });
});
