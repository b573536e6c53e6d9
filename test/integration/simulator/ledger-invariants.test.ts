// The ledger records what took effect, and the invariant check catches I1, I2 and I4 breaches
// (docs/design.md#invariants).
import { describe, expect, it } from 'vitest';
import { checkInvariants } from '../../../simulator/ledger/invariants.ts';
import type { LedgerEntry } from '../../../simulator/ledger/ledger.ts';
import { failAndMarkDown, firstServer, markDown, useCloud } from './cloud.ts';

const cloud = useCloud({ hosts: 4, instancesPerHost: 6 });

const at = '2026-01-01T00:00:00.000Z';

function evacuation(seq: number, instance: string, sourcePower: 'On' | 'Off'): LedgerEntry {
  return {
    seq,
    at,
    kind: 'evacuate',
    instance,
    sourceHost: 'cmp-01',
    sourcePower,
    targetHost: null,
    migrationId: seq,
    requestId: `req-${seq}`,
    microversion: '2.53',
  };
}

describe('checkInvariants', () => {
  it('finds nothing wrong in a fenced, once-per-incident history', () => {
    expect(
      checkInvariants([
        { seq: 1, at, kind: 'host-failure', host: 'cmp-01', mode: 'power-loss' },
        {
          seq: 2,
          at,
          kind: 'service-update',
          host: 'cmp-01',
          binary: 'nova-compute',
          forcedDown: true,
          power: 'Off',
          requestId: 'req-a',
        },
        evacuation(3, 'vm-a', 'Off'),
        { seq: 4, at, kind: 'host-failure', host: 'cmp-01', mode: 'power-loss' },
        evacuation(5, 'vm-a', 'Off'),
      ]),
    ).toEqual([]);
  });

  it('flags an evacuation of a powered source (I1), a second one in the same incident (I2) and a forced_down on a powered host (I4)', () => {
    const violations = checkInvariants([
      { seq: 1, at, kind: 'host-failure', host: 'cmp-01', mode: 'compute-crash' },
      {
        seq: 2,
        at,
        kind: 'service-update',
        host: 'cmp-01',
        binary: 'nova-compute',
        forcedDown: true,
        power: 'On',
        requestId: 'req-a',
      },
      evacuation(3, 'vm-a', 'On'),
      evacuation(4, 'vm-a', 'On'),
    ]);
    expect(violations.map((v) => [v.invariant, v.entries])).toEqual([
      ['I1', [3]],
      ['I1', [4]],
      ['I2', [3, 4]],
      ['I4', [2]],
    ]);
  });

  it('counts a retry after a failed evacuation as recovery, but an evacuate while an earlier one is unfinished or done as a second one (I2)', () => {
    const violations = checkInvariants([
      { seq: 1, at, kind: 'host-failure', host: 'cmp-01', mode: 'power-loss' },
      evacuation(2, 'vm-a', 'Off'),
      { seq: 3, at, kind: 'evacuation-failed', instance: 'vm-a', migrationId: 2, status: 'failed' },
      evacuation(4, 'vm-a', 'Off'),
      evacuation(5, 'vm-b', 'Off'),
      { seq: 6, at, kind: 'evacuation-failed', instance: 'vm-b', migrationId: 7, status: 'error' },
      evacuation(7, 'vm-b', 'Off'),
      { seq: 8, at, kind: 'evacuation-failed', instance: 'vm-b', migrationId: 7, status: 'error' },
    ]);
    expect(violations.map((v) => [v.invariant, v.entries])).toEqual([['I2', [5, 7]]]);
  });
});

describe('the ledger of a running simulator', () => {
  it('records evacuations with the source power at acceptance, and reports an unfenced one over the admin API', async () => {
    const c = cloud();
    c.sim.failHost('cmp-01', 'compute-crash');
    await markDown(c, 'cmp-01');
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    await c.nova('POST', `/servers/${victim.id}/action`, {
      microversion: '2.53',
      body: { evacuate: {} },
    });
    const ledger = (await c.admin('GET', '/_sim/ledger')).body as { entries: LedgerEntry[] };
    expect(ledger.entries.map((e) => e.kind)).toEqual([
      'host-failure',
      'service-update',
      'evacuate',
    ]);
    expect(ledger.entries.at(-1)).toMatchObject({
      kind: 'evacuate',
      instance: victim.id,
      sourceHost: 'cmp-01',
      sourcePower: 'On',
    });
    const { violations } = (await c.admin('GET', '/_sim/invariants')).body as {
      violations: { invariant: string }[];
    };
    expect(violations.map((v) => v.invariant)).toEqual(['I1', 'I4']);
  });

  it('records power commands with who sent them, and a fenced evacuation breaks no invariant', async () => {
    const c = cloud();
    const before = c.sim.invariants().violations.length;
    c.sim.setPower('cmp-02', 'Off');
    await markDown(c, 'cmp-02');
    const victim = await firstServer(c, 'cmp-02', 'ACTIVE');
    expect(
      (
        await c.nova('POST', `/servers/${victim.id}/action`, {
          microversion: '2.53',
          body: { evacuate: {} },
        })
      ).status,
    ).toBe(200);
    expect(c.sim.ledger().find((e) => e.kind === 'power')).toMatchObject({
      host: 'cmp-02',
      state: 'Off',
      previous: 'On',
      via: 'sim-admin',
    });
    expect(c.sim.invariants().violations).toHaveLength(before);
  });

  it('keeps running guests of a crashed host visible in the state, so a split brain can be seen', async () => {
    const c = cloud();
    await failAndMarkDown(c, 'cmp-03');
    c.sim.failHost('cmp-04', 'compute-crash');
    const state = c.sim.state();
    expect(state.hosts.find((h) => h.name === 'cmp-03')).toMatchObject({
      power: 'Off',
      runningGuests: 0,
    });
    expect(state.hosts.find((h) => h.name === 'cmp-04')?.runningGuests).toBeGreaterThan(0);
  });
});
