// fenceHost and forceDownComputeService against the simulator's BMCs and Nova: the power is read
// back Off before forced_down is ever set (docs/design.md#i4-force-down-after-fence), and a BMC
// that will not power off yields no proof.
import { describe, expect, it } from 'vitest';
import type { Context } from '@temporalio/activity';
import { asyncLocalStorage } from '@temporalio/activity';
import { entriesOf, expectFailure, useIncidentCloud } from './incident-cloud.ts';

const cloud = useIncidentCloud({ hosts: 5, ipmiHosts: 1 });

describe('fencing a failed host and forcing its service down', () => {
  it('proves a power-loss host Off without a power command, then forces it down with a reason naming the incident', async () => {
    const { sim, activities } = cloud();
    sim.failHost('cmp-02', 'power-loss');
    const proof = await activities.fenceHost('cmp-02');
    expect(proof).toMatchObject({
      host: 'cmp-02',
      protocol: 'redfish',
      powerState: 'Off',
      wasAlreadyOff: true,
    });

    const incident = { incidentId: 'incident/cmp-02/run-1', startedAt: '2025-03-01T10:00:00.000Z' };
    const forced = await activities.forceDownComputeService('cmp-02', incident, proof);
    expect(forced.disabledReason).toBe(
      `lazarus incident/cmp-02/run-1 since 2025-03-01T10:00:00.000Z: fenced via redfish at ${proof.readAt}`,
    );
    expect(forced.failure).toEqual(incident);
    const [update] = entriesOf(sim, 'service-update').filter((e) => e.host === 'cmp-02');
    expect(update).toMatchObject({
      forcedDown: true,
      status: 'disabled',
      power: 'Off',
      requestId: forced.requestId,
      disabledReason: forced.disabledReason,
    });
    expect(sim.state().hosts.find((h) => h.name === 'cmp-02')?.service).toMatchObject({
      state: 'down',
      forcedDown: true,
    });
    expect(sim.invariants().violations).toEqual([]);

    // The incident is terminated and the host reported again: the new incident is in the same
    // failure (docs/design.md#one-failure-many-incidents), sends no PUT and takes its id and start.
    const again = await activities.forceDownComputeService(
      'cmp-02',
      { incidentId: 'incident/cmp-02/run-2', startedAt: new Date().toISOString() },
      await activities.fenceHost('cmp-02'),
    );
    expect(again).toMatchObject({
      failure: incident,
      disabledReason: forced.disabledReason,
      requestId: null,
    });
    expect(entriesOf(sim, 'service-update').filter((e) => e.host === 'cmp-02')).toHaveLength(1);
  });

  it('powers a crashed compute off over IPMI and reads it back before forced_down is set', async () => {
    const { sim, activities } = cloud();
    sim.failHost('cmp-01', 'compute-crash');
    const proof = await activities.fenceHost('cmp-01');
    expect(proof).toMatchObject({ host: 'cmp-01', protocol: 'ipmi', wasAlreadyOff: false });
    await activities.forceDownComputeService(
      'cmp-01',
      { incidentId: 'incident/cmp-01', startedAt: new Date().toISOString() },
      proof,
    );

    const forHost = sim.ledger().filter((e) => 'host' in e && e.host === 'cmp-01');
    expect(forHost.map((e) => e.kind)).toEqual(['host-failure', 'power', 'service-update']);
    expect(forHost[1]).toMatchObject({ kind: 'power', state: 'Off', via: 'ipmi' });
    expect(forHost[2]).toMatchObject({ kind: 'service-update', forcedDown: true, power: 'Off' });
    expect(sim.invariants().violations).toEqual([]);
  });

  it('gives no proof when the BMC ignores power-off, so nothing forces the host down', async () => {
    const { sim, activities } = cloud();
    sim.failHost('cmp-03', 'compute-crash');
    sim.setBmcFaults('cmp-03', { ignorePowerOff: true });
    const failure = await expectFailure(activities.fenceHost('cmp-03'), 'FencingUnproven', false);
    expect(failure.message).toMatch(
      /^fencing host cmp-03 via Redfish at http:\/\/127\.0\.0\.1:\d+: power state still "On" .* after ForceOff; check the BMC, then retry or confirm manual fencing$/,
    );
    expect(entriesOf(sim, 'service-update').filter((e) => e.host === 'cmp-03')).toEqual([]);
    expect(sim.state().hosts.find((h) => h.name === 'cmp-03')?.power).toBe('On');
  });

  it("refuses to force a host down with another host's proof", async () => {
    const { sim, activities } = cloud();
    sim.failHost('cmp-04', 'power-loss');
    const proof = await activities.fenceHost('cmp-04');
    const failure = await expectFailure(
      activities.forceDownComputeService(
        'cmp-05',
        { incidentId: 'incident/cmp-05', startedAt: new Date().toISOString() },
        proof,
      ),
      'FencingUnproven',
      false,
    );
    expect(failure.message).toContain(
      'refusing to force down host cmp-05 with the fencing of host cmp-04',
    );
    expect(entriesOf(sim, 'service-update').filter((e) => e.host === 'cmp-05')).toEqual([]);
  });

  it('heartbeats while it polls the BMC for the power state', async () => {
    const { sim, activities } = cloud();
    sim.failHost('cmp-05', 'compute-crash');
    // Each Redfish answer takes 20 simulated seconds (20 ms), so the reads span several poll intervals.
    sim.setBmcFaults('cmp-05', { latencyMs: 20_000 });
    let heartbeats = 0;
    const context = {
      heartbeat: () => {
        heartbeats += 1;
      },
    } as unknown as Context;
    const proof = await asyncLocalStorage.run(context, () => activities.fenceHost('cmp-05'));
    expect(proof.wasAlreadyOff).toBe(false);
    expect(heartbeats).toBeGreaterThan(0);
  });

  it('names the missing BMC entry and PDU outlet of a host the inventory does not cover', async () => {
    const { activities } = cloud();
    const failure = await expectFailure(
      activities.fenceHost('cmp-99'),
      'ConfigurationInvalid',
      false,
    );
    expect(failure.message).toBe(
      'host cmp-99 has no BMC entry and no PDU outlet in the configuration, so it cannot be fenced; add it under bmcs (by host, hosts or pattern) or give it outlets under pdus, then retry fencing or confirm manual fencing',
    );
  });
});
