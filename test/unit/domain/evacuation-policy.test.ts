import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EVACUATION_POLICY,
  planEvacuation,
  type EvacuationPolicy,
  type InstanceFacts,
} from '../../../domain/evacuation-policy.ts';

function instance(id: string, overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  return {
    id,
    name: `vm-${id}`,
    status: 'ACTIVE',
    isLocked: false,
    metadata: { HA_Enabled: 'True' },
    flavorExtraSpecs: {},
    imageProperties: {},
    isBootFromVolume: true,
    ...overrides,
  };
}

const policy = (overrides: Partial<EvacuationPolicy> = {}): EvacuationPolicy => ({
  ...DEFAULT_EVACUATION_POLICY,
  ...overrides,
});
const planned = (instances: InstanceFacts[], p = policy()): string[] =>
  planEvacuation(instances, p).evacuate.map((e) => e.instanceId);
const skipReason = (subject: InstanceFacts, p = policy()): string | undefined =>
  planEvacuation([subject], p).skip[0]?.reason;

describe('planEvacuation', () => {
  it("accepts Masakari's HA_Enabled metadata and Pacemaker's evacuable flavor extra spec and image property", () => {
    expect(
      planned([
        instance('a', { metadata: { HA_Enabled: 'True' } }),
        instance('b', { metadata: {}, flavorExtraSpecs: { evacuable: 'true' } }),
        instance('c', { metadata: {}, imageProperties: { evacuable: '1' } }),
      ]),
    ).toEqual(['a', 'b', 'c']);
  });

  it('skips an unmarked instance and says how to protect it', () => {
    expect(skipReason(instance('a', { metadata: {} }))).toMatch(
      /not protected \(no protection mark\); mark it with metadata HA_Enabled=true/,
    );
  });

  it('lets instance metadata opt out what the flavor opts in', () => {
    expect(
      skipReason(
        instance('a', {
          metadata: { HA_Enabled: 'False' },
          flavorExtraSpecs: { evacuable: 'true' },
        }),
      ),
    ).toMatch(/metadata HA_Enabled=False/);
  });

  it('protects every instance when the policy says all', () => {
    expect(planned([instance('a', { metadata: {} })], policy({ protect: 'all' }))).toEqual(['a']);
  });

  it('orders by priority first, then running before stopped before errored, then by id', () => {
    const order = planned([
      instance('e', { status: 'ERROR' }),
      instance('s', { status: 'SHUTOFF' }),
      instance('b'),
      instance('a'),
      instance('p', {
        status: 'SHUTOFF',
        metadata: { HA_Enabled: 'true', 'lazarus:priority': '10' },
      }),
    ]);
    expect(order).toEqual(['p', 'a', 'b', 's', 'e']);
  });

  it('never plans a status Nova refuses to evacuate', () => {
    expect(skipReason(instance('a', { status: 'PAUSED' }), policy({ protect: 'all' }))).toMatch(
      /status PAUSED: Nova evacuates only ACTIVE, SHUTOFF and ERROR/,
    );
  });

  it.each([
    ['stopped', instance('a', { status: 'SHUTOFF' }), { stopped: 'skip' }, /stopped/],
    ['errored', instance('a', { status: 'ERROR' }), { errored: 'skip' }, /in ERROR/],
    ['locked', instance('a', { isLocked: true }), { locked: 'skip' }, /locked/],
  ] as const)(
    'skips %s instances when the policy says so, and evacuates them by default',
    (_kind, subject, override, reason) => {
      expect(skipReason(subject, policy(override))).toMatch(reason);
      expect(planned([subject])).toEqual(['a']);
    },
  );

  it('skips image-backed instances on local disk by default, explaining the data loss, unless the policy accepts it', () => {
    const imageBacked = instance('a', { isBootFromVolume: false });
    expect(skipReason(imageBacked)).toMatch(/rebuild it from its image and lose its data/);
    expect(planned([imageBacked], policy({ imageBackedOnLocalDisk: 'evacuate' }))).toEqual(['a']);
  });

  it('accounts for every instance exactly once, planned or skipped', () => {
    const instances = [
      instance('a'),
      instance('b', { metadata: {} }),
      instance('c', { status: 'PAUSED' }),
      instance('d', { isBootFromVolume: false }),
    ];
    const plan = planEvacuation(instances, DEFAULT_EVACUATION_POLICY);
    const seen = [
      ...plan.evacuate.map((e) => e.instanceId),
      ...plan.skip.map((s) => s.instanceId),
    ].sort();
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });
});
