// Compute services: listed at 2.53+, disabled and forced down in one PUT
// (docs/nova-and-bmc-facts.md#the-60-second-disable-trap), un-forced only once the restarted
// compute completed its evacuations (docs/nova-and-bmc-facts.md#un-forcing-after-evacuation),
// enabled again.
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../../../simulator/simulator.ts';
import { computeServiceOf, connect, useSimulator } from './cloud.ts';

const sim = useSimulator({ hosts: 3, instancesPerHost: 2 });

describe('compute services', () => {
  it('lists every nova-compute service with its uuid, state and forced_down', async () => {
    const { nova } = await connect(sim());
    const services = await nova.listComputeServices();
    expect(services.map((s) => s.host)).toEqual(['cmp-01', 'cmp-02', 'cmp-03']);
    const expected = sim()
      .state()
      .hosts.map((h) => ({
        host: h.name,
        id: h.service.uuid,
        status: 'enabled',
        state: 'up',
        isForcedDown: false,
      }));
    expect(services).toMatchObject(expected);
  });

  it('disables and forces down a dead host in one request, without waiting for the RPC timeout', async () => {
    // At 10× real time, the 60 s simulated rpc_response_timeout a separate disable would wait for is
    // 6 s real, which the one PUT cannot take even on a loaded machine.
    const s = await startSimulator({ hosts: 1, instancesPerHost: 1, timeScale: 10 });
    try {
      const { nova } = await connect(s);
      const service = await computeServiceOf(nova, 'cmp-01');
      s.failHost('cmp-01', 'power-loss');
      const before = s.now();
      const update = await nova.forceDownComputeService(
        service.id,
        'lazarus: incident incident/cmp-01',
      );
      expect(update.service).toMatchObject({
        status: 'disabled',
        state: 'down',
        isForcedDown: true,
        disabledReason: 'lazarus: incident incident/cmp-01',
      });
      expect(s.now() - before).toBeLessThan(60_000);
      const updates = s.ledger().filter((e) => e.kind === 'service-update' && e.host === 'cmp-01');
      expect(updates).toEqual([
        expect.objectContaining({
          status: 'disabled',
          forcedDown: true,
          requestId: update.requestId,
        }),
      ]);
    } finally {
      await s.stop();
    }
  });

  it('refuses to un-force while done evacuations remain, then un-forces and enables once the compute restarted', async () => {
    const s = sim();
    const { nova } = await connect(s);
    const service = await computeServiceOf(nova, 'cmp-02');
    s.failHost('cmp-02', 'power-loss');
    await nova.forceDownComputeService(service.id, 'lazarus: test');
    const [instance] = await nova.listInstancesOnHost('cmp-02');
    if (instance === undefined) throw new Error('cmp-02 has no instances');
    await nova.evacuate(instance.id);
    await expect
      .poll(async () => (await nova.listMigrations({ instanceId: instance.id }))[0]?.status)
      .toBe('done');
    await expect(nova.unforceComputeService(service.id)).rejects.toMatchObject({
      type: 'EvacuationsNotCompleted',
      message: expect.stringMatching(/start nova-compute on the repaired host/) as unknown,
    });
    s.setPower('cmp-02', 'On');
    s.restartCompute('cmp-02');
    await expect
      .poll(async () => (await nova.listMigrations({ instanceId: instance.id }))[0]?.status)
      .toBe('completed');
    expect((await nova.unforceComputeService(service.id)).service).toMatchObject({
      isForcedDown: false,
      status: 'disabled',
    });
    const enabled = await nova.enableComputeService(service.id);
    expect(enabled.service).toMatchObject({ status: 'enabled', disabledReason: null });
    expect(enabled.requestId).toMatch(/^req-/);
  });

  it('throws NotFound for a service id Nova does not know', async () => {
    const { nova } = await connect(sim());
    await expect(
      nova.enableComputeService('7c5a2b1e-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({
      type: 'NotFound',
      details: { status: 404 },
    });
  });
});
