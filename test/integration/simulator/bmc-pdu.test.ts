// The simulated rack PDU, driven with curl as an independent Redfish client: the PowerDistribution
// and Outlet resources a fencing client reads, Outlet.PowerControl, and what switching outlets does
// to the world's power (a dual-fed host loses it only when both outlets are Off).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BmcFleet, RedfishEndpoint } from '../../../simulator/bmc/index.ts';
import type { FakeWorld } from './bmc-clients.ts';
import { messageIdOf, redfish, startTestFleet } from './bmc-clients.ts';

const OUTLETS = '/redfish/v1/PowerEquipment/RackPDUs/1/Outlets';

describe('a simulated rack PDU feeding dual-PSU hosts', () => {
  let world: FakeWorld;
  let fleet: BmcFleet;
  let pdu: RedfishEndpoint;
  const control = (outlet: string, body: unknown) =>
    redfish(pdu, `${OUTLETS}/${outlet}/Actions/Outlet.PowerControl`, { method: 'POST', body });

  beforeAll(async () => {
    const started = await startTestFleet(
      [
        { host: 'cmp-01', ipmi: false },
        { host: 'cmp-02', ipmi: false },
      ],
      { pdu: { outletsPerHost: 2 } },
    );
    ({ world, fleet } = started);
    const endpoint = fleet.pdu?.endpoint;
    if (endpoint === undefined) throw new Error('the fleet started no PDU');
    pdu = { ...endpoint, systemPath: '' };
  });
  afterAll(() => fleet.stop());

  it('serves its outlets over HTTPS to authenticated clients only, each with PowerState and PowerControl', async () => {
    expect(fleet.pdu?.endpoint.outlets).toEqual({ 'cmp-01': ['A1', 'B1'], 'cmp-02': ['A2', 'B2'] });
    const root = await redfish(pdu, '/redfish/v1', { auth: 'none' });
    expect(root.body).toMatchObject({
      PowerEquipment: { '@odata.id': '/redfish/v1/PowerEquipment' },
    });
    expect((await redfish(pdu, `${OUTLETS}/A1`, { auth: 'none' })).status).toBe(401);
    const outlets = await redfish(pdu, OUTLETS);
    expect(outlets.body).toMatchObject({ 'Members@odata.count': 4 });
    expect((await redfish(pdu, `${OUTLETS}/A1`)).body).toMatchObject({
      Id: 'A1',
      PowerState: 'On',
      PowerEnabled: true,
      Actions: { '#Outlet.PowerControl': { target: `${OUTLETS}/A1/Actions/Outlet.PowerControl` } },
    });
    expect((await redfish(pdu, `${OUTLETS}/Z9`)).status).toBe(404);
  });

  it('refuses a PowerControl without a PowerState or with one outside the list', async () => {
    const missing = await control('A2', {});
    expect({ status: missing.status, id: messageIdOf(missing.body) }).toEqual({
      status: 400,
      id: 'Base.1.22.ActionParameterMissing',
    });
    const wrong = await control('A2', { PowerState: 'ForceOff' });
    expect({ status: wrong.status, id: messageIdOf(wrong.body) }).toEqual({
      status: 400,
      id: 'Base.1.22.ActionParameterValueNotInList',
    });
    expect(world.states.get('cmp-02')).toBe('On');
  });

  it('cuts a dual-fed host only when both its outlets are Off, and powers it on when one comes back', async () => {
    expect((await control('A1', { PowerState: 'Off' })).status).toBe(204);
    expect(world.states.get('cmp-01')).toBe('On');
    expect(world.commands).toEqual([]);
    expect((await control('B1', { PowerState: 'Off' })).status).toBe(204);
    expect(world.states.get('cmp-01')).toBe('Off');
    expect((await redfish(pdu, `${OUTLETS}/B1`)).body).toMatchObject({ PowerState: 'Off' });
    await control('A1', { PowerState: 'On' });
    expect(world.commands).toEqual([
      { host: 'cmp-01', state: 'Off', via: 'redfish-pdu' },
      { host: 'cmp-01', state: 'On', via: 'redfish-pdu' },
    ]);
    expect(fleet.pdu?.outletStates()).toEqual({ A1: 'On', B1: 'Off', A2: 'On', B2: 'On' });
  });

  it('accepts a power-off through a welded relay without cutting anything, and drops connections when unreachable', async () => {
    fleet.pdu?.setFaults({ ignorePowerOff: true });
    expect((await control('A2', { PowerState: 'Off' })).status).toBe(204);
    expect((await redfish(pdu, `${OUTLETS}/A2`)).body).toMatchObject({ PowerState: 'On' });
    fleet.pdu?.setFaults({ unreachable: true });
    expect((await redfish(pdu, OUTLETS)).curlExit).not.toBe(0);
    fleet.pdu?.setFaults({});
    expect((await redfish(pdu, OUTLETS)).status).toBe(200);
  });
});
