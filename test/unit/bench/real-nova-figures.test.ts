// The figures of `npm run bench:real-nova`: request kinds as the counting proxy sees them, RTO and
// overhead over the measured limit, requests per instance, the exactly-once check and the report.
// Synthetic runs; the real ones come from the real-Nova tier.
import { describe, expect, it } from 'vitest';
import type { ProcedureRun, RealNovaResults } from '../../../bench/real-nova-figures.ts';
import {
  belowTheLimit,
  countsBetween,
  exactlyOnce,
  figuresOf,
  goalsOf,
  realNovaReport,
  requestKind,
  totalRequests,
} from '../../../bench/real-nova-figures.ts';

const machine = { cpuModel: 'AMD EPYC', cores: 2, memoryGiB: 24, node: 'v20', loadAtStart: 1 };
const server = '6f1e2a3b-0000-4000-8000-000000000001';

/** A run of `servers` servers reported at 1,000 ms whose last landing came `rtoMs` later. */
function run(
  procedure: string,
  rtoMs: number,
  overrides: Partial<ProcedureRun> = {},
): ProcedureRun {
  return {
    procedure,
    host: 'cmp1',
    servers: 4,
    reportedAt: 1_000,
    loadAtReport: 2.5,
    fencingProofAt: 1_100,
    firstEvacuationAt: 1_300,
    lastLandedAt: 1_000 + rtoMs,
    requests: { evacuate: 4, 'os-services': 2 },
    evacuationsPerServer: [1, 1, 1, 1],
    activeElsewhere: 4,
    ...overrides,
  };
}

/** One run of the bench: 4 servers per recovery, 5 minutes. */
function resultsOf(
  lazarus: ProcedureRun,
  pacemaker: ProcedureRun,
  limit: ProcedureRun,
): RealNovaResults {
  return {
    date: '2026-12-07',
    machine,
    durationMs: 300_000,
    loadAtEnd: 2,
    servers: 4,
    lazarus,
    pacemaker,
    limit,
  };
}

describe('real-Nova bench figures', () => {
  it('tells an evacuate from the other server actions by its body', () => {
    expect(requestKind('POST', `/v2.1/servers/${server}/action`, '{"evacuate":{}}')).toBe(
      'evacuate',
    );
    expect(requestKind('POST', `/v2.1/servers/${server}/action`, '{"os-start":null}')).toBe(
      'other server action',
    );
  });

  it('names reads by resource, with or without the version prefix and whatever the query', () => {
    expect(
      requestKind('GET', '/v2.1/os-migrations?migration_type=evacuation&source_compute=cmp1', ''),
    ).toBe('os-migrations');
    expect(requestKind('GET', `/servers/${server}`, '')).toBe('server');
    expect(requestKind('GET', `/v2.1/servers/${server}/os-instance-actions`, '')).toBe('server');
    expect(requestKind('GET', '/v2.1/servers/detail?all_tenants=1&host=cmp1', '')).toBe(
      'servers list',
    );
    expect(requestKind('PUT', '/v2.1/os-services/abc', '{"forced_down":true}')).toBe('os-services');
    expect(requestKind('GET', '/', '')).toBe('other');
  });

  it('counts what was sent between two readings of the proxy', () => {
    const between = countsBetween(
      { evacuate: 2, 'os-migrations': 5 },
      { evacuate: 12, 'os-migrations': 5, server: 3 },
    );
    expect(between).toEqual({ evacuate: 10, server: 3 });
    expect(totalRequests(between)).toBe(13);
  });

  it('measures the RTO from the report to the last landing, and the overhead over the limit', () => {
    const limit = run('limit', 2_000);
    expect(figuresOf(run('Lazarus', 3_000), limit)).toEqual({
      rtoS: 3,
      overheadS: 1,
      overLimit: 0.5,
      requestsPerInstance: 1.5,
    });
    expect(figuresOf(limit, limit).overLimit).toBe(0);
  });

  it('says "1 each" only when every server was evacuated exactly once', () => {
    expect(exactlyOnce([1, 1, 1])).toBe('1 each');
    expect(exactlyOnce([1, 2, 0])).toBe('**not once**: 2 of 3 servers (2, 0)');
    expect(exactlyOnce([])).toContain('not once');
  });

  it('says which goal is missed: Lazarus slower than the re-enactment, or over 3 requests per instance', () => {
    const limit = run('physical limit (measured)', 2_000);
    expect(
      goalsOf(
        resultsOf(
          run('Lazarus', 8_000, { requests: { evacuate: 4, 'os-migrations': 9 } }),
          run('Pacemaker (re-enacted)', 4_000),
          limit,
        ),
      ),
    ).toEqual([
      "- Lazarus's RTO at most the Pacemaker re-enactment's: Pacemaker ÷ Lazarus = 0.50×, **missed**.",
      '- At most 3 Nova requests per evacuated instance for Lazarus: 3.25, **missed**.',
    ]);
  });

  it('says so when a procedure beat the all-at-once limit', () => {
    const limit = run('physical limit (measured)', 9_000);
    const lines = belowTheLimit(
      resultsOf(run('Lazarus', 3_000), run('Pacemaker (re-enacted)', 12_000), limit),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('no lower bound in this run**: Lazarus landed every server sooner');
  });

  it('reports every procedure against the measured limit, which has no overhead of its own', () => {
    const limit = run('physical limit (measured)', 2_000);
    const report = realNovaReport(
      resultsOf(
        run('Lazarus', 3_000, { verifiedAt: 4_500 }),
        run('Pacemaker (re-enacted)', 12_000),
        limit,
      ),
    );
    expect(report).toContain('--servers 4');
    expect(report).toContain(
      '| Lazarus | **3.00** | +1.00 s (50 %) | 1.50 | 1 each | 4 of 4 | 0.10 | 0.30 | 3.50 | 4 evacuate, 2 os-services | 2.5 |',
    );
    expect(report).toContain('| Pacemaker (re-enacted) | **12.00** | +10.00 s (500 %) |');
    expect(report).toContain('| 0.10 | 0.30 | never |');
    expect(report).toContain('| physical limit (measured) | **2.00** | - |');
    expect(report).toContain('Pacemaker ÷ Lazarus = 4.00×, met.');
    expect(report).toContain('for Lazarus: 1.50, met.');
    expect(report).not.toContain('no lower bound');
    expect(report).toMatch(/\| physical limit \(measured\) .*\| 0\.30 \| - \| 4 evacuate/);
  });
});
