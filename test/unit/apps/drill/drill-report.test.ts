import { describe, expect, it } from 'vitest';
import type { HostDrill } from '../../../../apps/drill/host-drill.ts';
import { drillAsJson, drillAsText, isRecoverable } from '../../../../apps/drill/drill-report.ts';
import type { DrillReport } from '../../../../apps/drill/run-drill.ts';
import { checkCapacity } from '../../../../domain/capacity.ts';
import { BENCH_FIGURES, estimateRecovery } from '../../../../domain/recovery-estimate.ts';
import { AUTO_RECOVERY } from '../../../../domain/recovery-method.ts';

const needs = { vcpus: 2, ramMb: 4096, diskGb: 0 };

function hostDrill(host: string, overrides: Partial<HostDrill> = {}): HostDrill {
  const evacuate = [
    { instanceId: 'id-b', name: 'db-1', status: 'ACTIVE', priority: 10, needs },
    { instanceId: 'id-a', name: 'web-1', status: 'SHUTOFF', priority: 0, needs },
  ];
  return {
    host,
    novaCompute: 'enabled, up',
    bmc: 'redfish https://10.0.0.7',
    power: 'On',
    recoveryMethod: { name: AUTO_RECOVERY.name, description: AUTO_RECOVERY.description },
    evacuate,
    skip: [{ instanceId: 'id-c', name: 'scratch', reason: 'not protected (no protection mark)' }],
    capacity: checkCapacity(evacuate, [
      {
        host: 'cmp-09',
        free: { vcpus: 8, ramMb: 16384, diskGb: 100 },
        largest: { vcpus: 8, ramMb: 16384, diskGb: 100 },
      },
    ]),
    estimate: estimateRecovery(evacuate.length, BENCH_FIGURES),
    reasons: [],
    ...overrides,
  };
}

const report = (scope: 'host' | 'all', hosts: HostDrill[]): DrillReport => ({
  scope,
  config: 'lazarus.yaml',
  openstack: 'clouds.yaml cloud "prod"',
  novaMicroversion: '2.95',
  problems: [],
  hosts,
});

describe('a drill of one host', () => {
  it('reads as sections: the BMC, the method, the instances in order, the skipped with reasons, capacity, RTO, verdict', () => {
    const text = drillAsText(report('host', [hostDrill('cmp-07')]));
    expect(text).toContain('drill of cmp-07: a dry run, nothing was changed');
    expect(text).toContain('BMC              redfish https://10.0.0.7 (power On)');
    expect(text).toContain('recovery method  auto (the scheduler places each instance)');
    expect(text).toContain('would evacuate 2 instances, in this order:');
    expect(text).toMatch(/^ {2}1 +id-b +db-1 +ACTIVE +10 +2 vCPU \/ 4096 MiB \/ 0 GB$/m);
    expect(text).toMatch(/^ {2}2 +id-a +web-1 +SHUTOFF +0 /m);
    expect(text).toMatch(/^ {2}id-c +scratch +not protected \(no protection mark\)$/m);
    expect(text).toContain(
      'capacity         suffices: needs 4 vCPU / 8192 MiB / 0 GB; 1 other enabled, up host',
    );
    expect(text).toContain("RTO estimate     about 23 s, from the bench's figures");
    expect(text).toMatch(/^cmp-07 could be recovered$/m);
  });

  it('lists every reason a host could not be recovered', () => {
    const failing = hostDrill('cmp-07', {
      power: null,
      reasons: ['cmp-07: Redfish BMC did not answer', 'capacity short: …'],
    });
    const text = drillAsText(report('host', [failing]));
    expect(text).toContain(
      'cmp-07 could NOT be recovered today:\n  - cmp-07: Redfish BMC did not answer\n  - capacity short: …',
    );
    expect(isRecoverable(report('host', [failing]))).toBe(false);
  });

  it('carries the instances in JSON, with stable field names', () => {
    const json = JSON.parse(drillAsJson(report('host', [hostDrill('cmp-07')]))) as Record<
      string,
      unknown
    > & {
      hosts: Record<string, unknown>[];
    };
    expect(Object.keys(json)).toEqual([
      'scope',
      'isRecoverable',
      'config',
      'openstack',
      'novaMicroversion',
      'problems',
      'hosts',
    ]);
    expect(json.hosts[0]).toMatchObject({
      host: 'cmp-07',
      isRecoverable: true,
      recoveryMethod: 'auto',
      evacuateCount: 2,
      skipCount: 1,
      capacity: {
        doesSuffice: true,
        method: 'first-fit-decreasing',
        destinations: 1,
        unplaced: [],
      },
      rtoEstimate: { seconds: 23 },
    });
    expect((json.hosts[0]?.evacuate as { instanceId: string }[]).map((e) => e.instanceId)).toEqual([
      'id-b',
      'id-a',
    ]);
  });
});

describe('a drill of the whole cloud', () => {
  it('gives one line per host and the reasons of those that could not be recovered', () => {
    const text = drillAsText(
      report('all', [
        hostDrill('cmp-01'),
        hostDrill('cmp-02', { power: null, reasons: ['cmp-02: no BMC entry'] }),
      ]),
    );
    expect(text).toMatch(/^HOST +NOVA-COMPUTE +POWER +EVACUATE +SKIP +CAPACITY +RTO +VERDICT$/m);
    expect(text).toMatch(/^cmp-01 +enabled, up +On +2 +1 +suffices +23 s +recoverable$/m);
    expect(text).toMatch(
      /^cmp-02 +enabled, up +\? +2 +1 +suffices +23 s +NOT recoverable \(1 reason\)$/m,
    );
    expect(text).toContain(
      '1 of 2 compute hosts could NOT be recovered today:\n  cmp-02:\n    - cmp-02: no BMC entry',
    );
  });

  it('leaves the instance lists out of JSON, counting them instead', () => {
    const json = JSON.parse(drillAsJson(report('all', [hostDrill('cmp-01')]))) as {
      hosts: Record<string, unknown>[];
    };
    expect(json.hosts[0]).not.toHaveProperty('evacuate');
    expect(json.hosts[0]).toMatchObject({ evacuateCount: 2, skipCount: 1 });
  });

  it('says the drill could not be made when Nova could not be read, with no host table', () => {
    const text = drillAsText({
      ...report('all', []),
      problems: ['Nova at https://nova did not answer; check …'],
    });
    expect(text).toContain(
      'the drill could not be made:\n  - Nova at https://nova did not answer; check …',
    );
    expect(text).not.toContain('HOST ');
  });
});
