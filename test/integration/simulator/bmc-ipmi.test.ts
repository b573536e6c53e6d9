import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BmcEndpoints, BmcFleet, IpmiEndpoint } from '../../../simulator/bmc/index.ts';
import type { FakeWorld } from './bmc-clients.ts';
import { eventually, ipmitool, redfish, startTestFleet } from './bmc-clients.ts';

describe('a simulated IPMI BMC driven by the real ipmitool', () => {
  let world: FakeWorld;
  let fleet: BmcFleet;
  let endpoints: BmcEndpoints;
  let ipmi: IpmiEndpoint;

  beforeAll(async () => {
    const started = await startTestFleet(
      [
        { host: 'cmp-01', ipmi: true },
        { host: 'cmp-02', ipmi: false },
      ],
      { tls: false },
    );
    ({ world, fleet } = started);
    endpoints = started.endpointsOf('cmp-01');
    ipmi = started.ipmiOf('cmp-01');
  });
  afterAll(async () => {
    await fleet.stop();
  });

  it('gives IPMI only to the hosts that asked for it, on a loopback UDP port', () => {
    expect(ipmi.host).toBe('127.0.0.1');
    expect(ipmi.port).toBeGreaterThan(0);
    expect(fleet.endpoints['cmp-02']?.ipmi).toBeUndefined();
  });

  it('powers the host off with chassis power off and reads the Off back, over IPMI and Redfish alike', async () => {
    expect((await ipmitool(ipmi, ['chassis', 'power', 'status'])).stdout.trim()).toBe(
      'Chassis Power is on',
    );
    const off = await ipmitool(ipmi, ['chassis', 'power', 'off']);
    expect(off).toMatchObject({ exitCode: 0, stdout: 'Chassis Power Control: Down/Off\n' });
    expect(world.commands).toEqual([{ host: 'cmp-01', state: 'Off', via: 'ipmi' }]);
    expect((await ipmitool(ipmi, ['chassis', 'power', 'status'])).stdout.trim()).toBe(
      'Chassis Power is off',
    );
    expect((await redfish(endpoints.redfish, endpoints.redfish.systemPath)).body).toMatchObject({
      PowerState: 'Off',
    });
    expect(world.states.get('cmp-02')).toBe('On');
  });

  it('answers chassis power off on a host that is already off without a second power command', async () => {
    world.states.set('cmp-01', 'Off');
    const commandsBefore = world.commands.length;
    expect((await ipmitool(ipmi, ['chassis', 'power', 'off'])).exitCode).toBe(0);
    expect(world.commands).toHaveLength(commandsBefore);
  });

  it('powers the host on again with chassis power on', async () => {
    world.states.set('cmp-01', 'Off');
    expect((await ipmitool(ipmi, ['chassis', 'power', 'on'])).stdout.trim()).toBe(
      'Chassis Power Control: Up/On',
    );
    expect(world.states.get('cmp-01')).toBe('On');
    expect((await ipmitool(ipmi, ['chassis', 'status'])).stdout).toMatch(/System Power\s+: on/);
  });

  it('shuts the host down with chassis power soft, as an OS obeying ACPI soft-off would', async () => {
    expect((await ipmitool(ipmi, ['chassis', 'power', 'soft'])).stdout.trim()).toBe(
      'Chassis Power Control: Soft',
    );
    expect(world.states.get('cmp-01')).toBe('Off');
    world.states.set('cmp-01', 'On');
  });

  it('cycles the power off and back on with chassis power cycle', async () => {
    const commandsBefore = world.commands.length;
    expect((await ipmitool(ipmi, ['chassis', 'power', 'cycle'])).stdout.trim()).toBe(
      'Chassis Power Control: Cycle',
    );
    // ipmi_sim powers back on from its own one-second timer (docs/nova-and-bmc-facts.md#openipmi-simulator).
    await eventually(
      () => Promise.resolve(world.commands.slice(commandsBefore)),
      (commands) => commands.length === 2,
    );
    expect(world.commands.slice(commandsBefore).map((command) => command.state)).toEqual([
      'Off',
      'On',
    ]);
  });

  it('reports power the world changed by itself, such as a power loss', async () => {
    world.states.set('cmp-01', 'Off');
    expect((await ipmitool(ipmi, ['chassis', 'power', 'status'])).stdout.trim()).toBe(
      'Chassis Power is off',
    );
    world.states.set('cmp-01', 'On');
    expect((await ipmitool(ipmi, ['chassis', 'power', 'status'])).stdout.trim()).toBe(
      'Chassis Power is on',
    );
  });

  it('refuses an RMCP+ session to a client with the wrong password', async () => {
    const refused = await ipmitool(ipmi, ['-v', 'chassis', 'power', 'off'], 'wrong-password');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('RAKP 2 HMAC is invalid');
    expect(refused.stderr).toContain('Unable to establish IPMI v2 / RMCP+ session');
    expect(world.states.get('cmp-01')).toBe('On');
  });
});
