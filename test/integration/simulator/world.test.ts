// The simulated world: scheduling, power through the BMC seam, seeds and scale.
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../../simulator/simulator.ts';
import { chooseDestination } from '../../../simulator/world/scheduler.ts';
import { failAndMarkDown, fastTime, openCloud, server, serversOn, useCloud } from './cloud.ts';

describe('chooseDestination', () => {
  const roomy = { vcpus: 64, ramMb: 65_536, diskGb: 1000 };
  const need = { vcpus: 2, ramMb: 4096, diskGb: 40 };

  it('skips disabled and down services and hosts without room, then prefers the most free RAM', () => {
    expect(
      chooseDestination(
        [
          { name: 'disabled', isEnabled: false, isUp: true, free: { ...roomy, ramMb: 900_000 } },
          { name: 'down', isEnabled: true, isUp: false, free: { ...roomy, ramMb: 900_000 } },
          { name: 'full', isEnabled: true, isUp: true, free: { ...roomy, vcpus: 1 } },
          { name: 'small', isEnabled: true, isUp: true, free: { ...roomy, ramMb: 8192 } },
          { name: 'big', isEnabled: true, isUp: true, free: roomy },
        ],
        need,
      ),
    ).toBe('big');
  });

  it('finds no host when none qualifies', () => {
    expect(
      chooseDestination([{ name: 'down', isEnabled: true, isUp: false, free: roomy }], need),
    ).toBeNull();
  });
});

describe('power through the BMC seam (HostPowerPort)', () => {
  const cloud = useCloud({ hosts: 2, instancesPerHost: 6 });

  it('stops heartbeats and guests on power off, and on power on restarts nova-compute, which stops the instances that died', async () => {
    const c = cloud();
    const activeBefore = (await serversOn(c, 'cmp-01')).filter((s) => s.status === 'ACTIVE').length;
    expect(activeBefore).toBeGreaterThan(0);
    c.sim.setPower('cmp-01', 'Off');
    // Nova cannot know yet: the database still says ACTIVE while nothing runs.
    expect((await serversOn(c, 'cmp-01')).filter((s) => s.status === 'ACTIVE')).toHaveLength(
      activeBefore,
    );
    expect(c.sim.state().hosts.find((h) => h.name === 'cmp-01')).toMatchObject({
      power: 'Off',
      runningGuests: 0,
      isComputeRunning: false,
    });
    await c.until(
      () =>
        Promise.resolve(
          c.sim.state().hosts.find((h) => h.name === 'cmp-01')?.service.state === 'down'
            ? true
            : undefined,
        ),
      'cmp-01 down',
    );
    c.sim.setPower('cmp-01', 'On');
    expect(c.sim.state().hosts.find((h) => h.name === 'cmp-01')?.service.state).toBe('up');
    expect((await serversOn(c, 'cmp-01')).filter((s) => s.status === 'ACTIVE')).toHaveLength(0);
  });
});

describe('seeds and scale', () => {
  it('builds the same cloud from the same seed and a different one from another', async () => {
    const [a, b, other] = await Promise.all([
      startSimulator({ hosts: 3, instancesPerHost: 4, seed: 7 }),
      startSimulator({ hosts: 3, instancesPerHost: 4, seed: 7 }),
      startSimulator({ hosts: 3, instancesPerHost: 4, seed: 8 }),
    ]);
    try {
      const ids = (s: typeof a): unknown =>
        s.state().instances.map((i) => [i.uuid, i.host, i.vmState]);
      expect(ids(a)).toEqual(ids(b));
      expect(ids(a)).not.toEqual(ids(other));
      expect(a.credentials).toEqual(b.credentials);
    } finally {
      await Promise.all([a.stop(), b.stop(), other.stop()]);
    }
  });

  it("runs 50 hosts with 40 instances each and lists one host's servers over HTTP", async () => {
    const c = await openCloud({ hosts: 50, instancesPerHost: 40, ...fastTime });
    try {
      expect(c.sim.state().instances).toHaveLength(2000);
      expect(await serversOn(c, 'cmp-37')).toHaveLength(40);
    } finally {
      await c.sim.stop();
    }
  });
});

describe('nova-compute restarting on a host with an evacuation in flight', () => {
  // Rebuilds take a simulated hour, so the evacuation is still running when the source returns.
  const cloud = useCloud({ hosts: 2, instancesPerHost: 4, timing: { rebuildMs: 3_600_000 } });

  it('leaves the evacuating instance alone and stops the ones whose guests died', async () => {
    const c = cloud();
    const [moving, left] = (await serversOn(c, 'cmp-01')).filter((s) => s.status === 'ACTIVE');
    if (moving === undefined || left === undefined)
      throw new Error('cmp-01 needs two ACTIVE servers');
    await failAndMarkDown(c, 'cmp-01');
    expect(
      (
        await c.nova('POST', `/servers/${moving.id}/action`, {
          microversion: '2.53',
          body: { evacuate: {} },
        })
      ).status,
    ).toBe(200);
    c.sim.setPower('cmp-01', 'On');
    expect(await server(c, moving.id)).toMatchObject({
      status: 'REBUILD',
      'OS-EXT-STS:task_state': 'rebuilding',
    });
    expect((await server(c, left.id)).status).toBe('SHUTOFF');
  });
});
