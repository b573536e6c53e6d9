import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BmcFleet, IpmiEndpoint, RedfishEndpoint } from '../../../simulator/bmc/index.ts';
import type { FakeWorld } from './bmc-clients.ts';
import { ipmitool, redfish, startTestFleet } from './bmc-clients.ts';

const HOST = 'cmp-01';
const TIME_SCALE = 1000;
const TRANSITION_MS = 5000;
const NO_SESSION = 'Unable to establish IPMI v2 / RMCP+ session';

describe('faults injected into a host BMC, seen over Redfish and IPMI', () => {
  let world: FakeWorld;
  let fleet: BmcFleet;
  let bmc: RedfishEndpoint;
  let ipmi: IpmiEndpoint;
  const powerState = async () =>
    ((await redfish(bmc, bmc.systemPath)).body as { PowerState: string }).PowerState;
  const forceOff = () =>
    redfish(bmc, `${bmc.systemPath}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      body: { ResetType: 'ForceOff' },
    });
  const ipmiStatus = async () =>
    (await ipmitool(ipmi, ['chassis', 'power', 'status'])).stdout.trim();
  /** Long enough for any power transition the BMC might have started to finish. */
  const afterTransition = () =>
    new Promise((resolve) => setTimeout(resolve, (5 * TRANSITION_MS) / TIME_SCALE));

  beforeAll(async () => {
    const started = await startTestFleet([{ host: HOST, ipmi: true }], {
      timeScale: TIME_SCALE,
      powerTransitionMs: TRANSITION_MS,
    });
    ({ world, fleet } = started);
    bmc = started.endpointsOf(HOST).redfish;
    ipmi = started.ipmiOf(HOST);
  });
  afterEach(() => {
    fleet.setFaults(HOST, {});
    world.states.set(HOST, 'On');
  });
  afterAll(async () => {
    await fleet.stop();
  });

  it('resets Redfish connections and leaves IPMI unanswered while unreachable, and recovers after', async () => {
    fleet.setFaults(HOST, { unreachable: true });
    const redfishAttempt = await forceOff();
    expect(redfishAttempt.curlExit).not.toBe(0);
    expect(redfishAttempt.status).toBe(0);
    const ipmiAttempt = await ipmitool(ipmi, ['chassis', 'power', 'off']);
    expect(ipmiAttempt.exitCode).toBe(1);
    expect(ipmiAttempt.stderr).toContain(NO_SESSION);
    expect(world.commands).toEqual([]);

    fleet.setFaults(HOST, {});
    expect(await powerState()).toBe('On');
    expect(await ipmiStatus()).toBe('Chassis Power is on');
  });

  it('rejects valid credentials over Basic auth, session login and RMCP+ while credentials are bad', async () => {
    fleet.setFaults(HOST, { badCredentials: true });
    const basic = await forceOff();
    expect(basic.status).toBe(401);
    const login = await redfish(bmc, '/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      auth: 'none',
      body: { UserName: bmc.username, Password: bmc.password },
    });
    expect(login.status).toBe(401);
    const ipmiAttempt = await ipmitool(ipmi, ['-v', 'chassis', 'power', 'off']);
    expect(ipmiAttempt.exitCode).toBe(1);
    // What ipmitool -v says when its password does not match the BMC's
    // (docs/nova-and-bmc-facts.md#credential-errors).
    expect(ipmiAttempt.stderr).toContain('RAKP 2 HMAC is invalid');
    expect(ipmiAttempt.stderr).toContain(NO_SESSION);
    expect(world.commands).toEqual([]);
  });

  it('accepts power-off commands yet keeps the power on while power-off is ignored', async () => {
    fleet.setFaults(HOST, { ignorePowerOff: true });
    expect((await forceOff()).status).toBe(204);
    const ipmiOff = await ipmitool(ipmi, ['chassis', 'power', 'off']);
    expect(ipmiOff).toMatchObject({ exitCode: 0, stdout: 'Chassis Power Control: Down/Off\n' });
    await afterTransition();
    expect(await powerState()).toBe('On');
    expect(await ipmiStatus()).toBe('Chassis Power is on');
    expect(world.commands).toEqual([]);
  });

  it('reports the misreported power state over both protocols whatever the truth is', async () => {
    fleet.setFaults(HOST, { misreportPower: 'Off' });
    expect(await powerState()).toBe('Off');
    expect(await ipmiStatus()).toBe('Chassis Power is off');
    expect(world.states.get(HOST)).toBe('On');

    world.states.set(HOST, 'Off');
    fleet.setFaults(HOST, { misreportPower: 'On' });
    expect(await powerState()).toBe('On');
    expect(await ipmiStatus()).toBe('Chassis Power is on');
  });

  it('delays answers by the simulated latency, past a client timeout that is shorter', async () => {
    // 600 simulated seconds at a time scale of 1000: each answer comes 0.6 s late.
    fleet.setFaults(HOST, { latencyMs: 600_000 });
    const slow = await redfish(bmc, '/redfish/v1/', { auth: 'none', maxTimeSeconds: 0.2 });
    expect(slow.curlExit).toBe(28);
    // ipmitool -N 1 -R 1 gives each request a second; 20 late seconds lose them all.
    fleet.setFaults(HOST, { latencyMs: 20_000_000 });
    expect((await ipmitool(ipmi, ['chassis', 'power', 'status'])).stderr).toContain(NO_SESSION);
  });

  it('refuses faults for a host it does not simulate', () => {
    expect(() => {
      fleet.setFaults('cmp-99', { unreachable: true });
    }).toThrow(/unknown host cmp-99/);
  });
});
