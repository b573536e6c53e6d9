import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fenceHost } from '../../../../activities/fencing/index.ts';
import type { IpmiEndpoint } from '../../../../simulator/bmc/index.ts';
import type { TestFleet } from '../../simulator/bmc-clients.ts';
import { startTestFleet } from '../../simulator/bmc-clients.ts';
import { ipmiDriverFor, TIMING } from './fencing-fixtures.ts';

const HOST = 'cmp-01';

describe('fencing through an IPMI BMC (the real ipmitool against ipmi_sim)', () => {
  let test: TestFleet;
  let ipmi: IpmiEndpoint;
  let bmc: string;

  beforeAll(async () => {
    test = await startTestFleet([{ host: HOST, ipmi: true }]);
    ipmi = test.ipmiOf(HOST);
    bmc = `${ipmi.host}:${ipmi.port}`;
  });
  afterEach(() => {
    test.fleet.setFaults(HOST, {});
    test.world.states.set(HOST, 'On');
    test.world.commands.length = 0;
  });
  afterAll(async () => {
    await test.fleet.stop();
  });

  it('returns a proof only after chassis power off is read back off', async () => {
    const { driver } = await ipmiDriverFor(ipmi);
    const proof = await fenceHost(HOST, driver, TIMING);
    expect(proof).toMatchObject({
      host: HOST,
      protocol: 'ipmi',
      bmc,
      powerState: 'Off',
      wasAlreadyOff: false,
      attempts: 2,
    });
    expect(test.world.commands).toEqual([{ host: HOST, state: 'Off', via: 'ipmi' }]);
  });

  it('treats a host that is already off as fenced and sends no power command', async () => {
    test.world.states.set(HOST, 'Off');
    const { driver } = await ipmiDriverFor(ipmi);
    expect(await fenceHost(HOST, driver, TIMING)).toMatchObject({
      wasAlreadyOff: true,
      attempts: 1,
    });
    expect(test.world.commands).toEqual([]);
  });

  it('powers the host on again through the same driver', async () => {
    test.world.states.set(HOST, 'Off');
    const { driver } = await ipmiDriverFor(ipmi);
    await driver.powerOn();
    expect(await driver.powerState()).toBe('On');
  });

  it('fails with BmcUnavailable when no RMCP+ session can be established', async () => {
    test.fleet.setFaults(HOST, { unreachable: true });
    const { driver } = await ipmiDriverFor(ipmi);
    const failure = fenceHost(HOST, driver, TIMING);
    await expect(failure).rejects.toMatchObject({ type: 'BmcUnavailable', retryable: true });
    await expect(failure).rejects.toThrow(
      `fencing host ${HOST}: IPMI BMC at ${bmc} failed ipmitool chassis power status (Error: Unable to establish IPMI v2 / RMCP+ session); check that the BMC is powered, reachable over UDP`,
    );
  });

  it('fails with BmcAuthenticationFailed on a wrong password, and when the BMC rejects valid ones', async () => {
    const { driver: wrongPassword } = await ipmiDriverFor(ipmi, { password: 'not-the-password' });
    await expect(fenceHost(HOST, wrongPassword, TIMING)).rejects.toMatchObject({
      type: 'BmcAuthenticationFailed',
      retryable: false,
    });
    test.fleet.setFaults(HOST, { badCredentials: true });
    const { driver } = await ipmiDriverFor(ipmi);
    await expect(fenceHost(HOST, driver, TIMING)).rejects.toThrow(
      /IPMI BMC at .* rejected the credentials of user "admin"/,
    );
    expect(test.world.commands).toEqual([]);
  });

  it('gives no proof but FencingUnproven when the BMC ignores power off', async () => {
    test.fleet.setFaults(HOST, { ignorePowerOff: true });
    const { driver } = await ipmiDriverFor(ipmi);
    await expect(fenceHost(HOST, driver, TIMING)).rejects.toThrow(
      new RegExp(
        `^fencing host ${HOST} via IPMI at ${bmc}: power state still "On" [\\d.]+ s after chassis power off; check the BMC, then retry or confirm manual fencing$`,
      ),
    );
  });

  it('gives no proof when the BMC reports on whatever happens, and cannot see through one that reports off', async () => {
    test.fleet.setFaults(HOST, { misreportPower: 'On' });
    const { driver } = await ipmiDriverFor(ipmi);
    await expect(fenceHost(HOST, driver, TIMING)).rejects.toMatchObject({
      type: 'FencingUnproven',
    });
    test.world.states.set(HOST, 'On');
    test.fleet.setFaults(HOST, { misreportPower: 'Off' });
    expect(await fenceHost(HOST, driver, TIMING)).toMatchObject({ wasAlreadyOff: true });
    expect(test.world.states.get(HOST)).toBe('On');
  });

  it('says how to fix a missing ipmitool', async () => {
    const { driver } = await ipmiDriverFor(ipmi, { ipmitool: 'no-such-ipmitool' });
    await expect(driver.powerState()).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: expect.stringContaining('install ipmitool on the Lazarus worker') as unknown,
    });
  });
});
