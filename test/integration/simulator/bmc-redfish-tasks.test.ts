import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BmcFleet, RedfishEndpoint } from '../../../simulator/bmc/index.ts';
import type { FakeWorld } from './bmc-clients.ts';
import { eventually, redfish, startTestFleet } from './bmc-clients.ts';

describe('a simulated Redfish BMC answering resets with 202 and a task monitor', () => {
  let world: FakeWorld;
  let fleet: BmcFleet;
  let bmc: RedfishEndpoint;
  const reset = (resetType: string) =>
    redfish(bmc, `${bmc.systemPath}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      body: { ResetType: resetType },
    });

  beforeAll(async () => {
    // Each power transition lasts 10 simulated seconds, one real second: long enough to watch it run.
    const started = await startTestFleet([{ host: 'cmp-01', ipmi: false }], {
      timeScale: 10,
      powerTransitionMs: 10_000,
      redfishResponseStyle: '202',
    });
    ({ world, fleet } = started);
    bmc = started.endpointsOf('cmp-01').redfish;
  });
  afterAll(async () => {
    await fleet.stop();
  });

  it('accepts ForceOff with 202, a task monitor and Retry-After, and completes the task once the power is Off', async () => {
    const accepted = await reset('ForceOff');
    expect(accepted.status).toBe(202);
    const monitor = accepted.headers.get('location') ?? '';
    expect(monitor).toMatch(/^\/redfish\/v1\/TaskService\/TaskMonitors\/\w+$/);
    expect(Number(accepted.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(accepted.body).toMatchObject({
      '@odata.type': '#Task.v1_8_0.Task',
      TaskState: 'Running',
      TaskMonitor: monitor,
    });
    const taskPath = (accepted.body as { '@odata.id': string })['@odata.id'];

    expect((await redfish(bmc, bmc.systemPath)).body).toMatchObject({ PowerState: 'PoweringOff' });
    const busy = await reset('ForceOff');
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({
      error: { '@Message.ExtendedInfo': [{ MessageId: 'Base.1.22.ResourceInUse' }] },
    });

    const running = await redfish(bmc, monitor);
    expect(running.status).toBe(202);
    expect(running.body).toMatchObject({ TaskState: 'Running' });
    const done = await eventually(
      () => redfish(bmc, monitor),
      (poll) => poll.status !== 202,
    );
    expect(done.status).toBe(204);
    expect(world.commands).toEqual([{ host: 'cmp-01', state: 'Off', via: 'redfish' }]);
    expect((await redfish(bmc, bmc.systemPath)).body).toMatchObject({ PowerState: 'Off' });
    expect((await redfish(bmc, taskPath)).body).toMatchObject({
      TaskState: 'Completed',
      TaskStatus: 'OK',
      PercentComplete: 100,
    });
    expect((await redfish(bmc, '/redfish/v1/TaskService/Tasks')).body).toMatchObject({
      Members: [{ '@odata.id': taskPath }],
    });
  });

  it('completes at once a reset that changes nothing, such as ForceOff on a host that is off', async () => {
    world.states.set('cmp-01', 'Off');
    const commandsBefore = world.commands.length;
    const accepted = await reset('ForceOff');
    expect(accepted.status).toBe(202);
    const done = await eventually(
      () => redfish(bmc, accepted.headers.get('location') ?? ''),
      (poll) => poll.status !== 202,
    );
    expect(done.status).toBe(204);
    expect(world.commands).toHaveLength(commandsBefore);
  });
});
