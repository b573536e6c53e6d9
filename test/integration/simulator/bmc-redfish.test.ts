import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BmcFleet, RedfishEndpoint } from '../../../simulator/bmc/index.ts';
import type { FakeWorld } from './bmc-clients.ts';
import { eventually, messageIdOf, redfish, startTestFleet } from './bmc-clients.ts';

const MOCKUP = new URL('./bmc-fixtures/redfish-mockup-rackmount1/', import.meta.url);

async function mockup(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(new URL(`${path}/index.json`, MOCKUP), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Every property we serve exists in the DMTF mockup with the same JSON type, except those named. */
function expectShapeOf(
  actual: unknown,
  reference: Record<string, unknown>,
  extras: readonly string[] = [],
): void {
  expect(actual).toBeTypeOf('object');
  for (const [key, value] of Object.entries(actual as Record<string, unknown>)) {
    if (extras.includes(key)) continue;
    expect(Object.keys(reference), `property ${key}`).toContain(key);
    expect(typeof value, `type of ${key}`).toBe(typeof reference[key]);
  }
  expect((actual as Record<string, unknown>)['@odata.type']).toBe(reference['@odata.type']);
}

describe('a simulated Redfish BMC over HTTPS, answering resets with 204', () => {
  let world: FakeWorld;
  let fleet: BmcFleet;
  let bmc: RedfishEndpoint;
  let other: RedfishEndpoint;

  beforeAll(async () => {
    const started = await startTestFleet([
      { host: 'cmp-01', ipmi: false },
      { host: 'cmp-02', ipmi: false },
    ]);
    ({ world, fleet } = started);
    bmc = started.endpointsOf('cmp-01').redfish;
    other = started.endpointsOf('cmp-02').redfish;
  });
  afterAll(async () => {
    await fleet.stop();
  });

  it('serves each host on its own loopback HTTPS port with its own credentials', () => {
    expect(bmc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(other.url).not.toBe(bmc.url);
    expect(other.password).not.toBe(bmc.password);
    expect(bmc.systemPath).toBe('/redfish/v1/Systems/cmp-01');
  });

  it('serves the service root anonymously in the shape of the DMTF mockup', async () => {
    const root = await redfish(bmc, '/redfish/v1/', { auth: 'none' });
    expect(root.status).toBe(200);
    expect(root.headers.get('odata-version')).toBe('4.0');
    expectShapeOf(root.body, await mockup('.'));
  });

  it('refuses the Systems collection without credentials with a DMTF NoValidSession error', async () => {
    const denied = await redfish(bmc, '/redfish/v1/Systems', { auth: 'none' });
    expect(denied.status).toBe(401);
    expect(messageIdOf(denied.body)).toBe('Base.1.22.NoValidSession');
    const wrong = await redfish(bmc, '/redfish/v1/Systems', {
      auth: { username: 'admin', password: other.password },
    });
    expect(wrong.status).toBe(401);
  });

  it('lists one ComputerSystem whose shape and Reset action follow the DMTF mockup', async () => {
    const systems = await redfish(bmc, '/redfish/v1/Systems');
    expectShapeOf(systems.body, await mockup('Systems'));
    expect(systems.body).toMatchObject({
      'Members@odata.count': 1,
      Members: [{ '@odata.id': bmc.systemPath }],
    });
    const system = await redfish(bmc, bmc.systemPath);
    expect(system.status).toBe(200);
    const reference = await mockup('Systems/437XR1138R2');
    expectShapeOf(system.body, reference);
    const reset = (system.body as { Actions: Record<string, Record<string, unknown>> }).Actions[
      '#ComputerSystem.Reset'
    ];
    expect(reset).toMatchObject({ target: `${bmc.systemPath}/Actions/ComputerSystem.Reset` });
    expect(reset?.['ResetType@Redfish.AllowableValues']).toEqual(
      expect.arrayContaining([
        'On',
        'ForceOff',
        'GracefulShutdown',
        'ForceRestart',
        'ForceOn',
        'PowerCycle',
      ]),
    );
    const actionInfo = await redfish(bmc, String(reset?.['@Redfish.ActionInfo']));
    expect(actionInfo.body).toMatchObject({
      '@odata.type': expect.stringMatching(/^#ActionInfo\./) as unknown,
      Parameters: [
        {
          Name: 'ResetType',
          Required: true,
          DataType: 'String',
          AllowableValues: reset?.['ResetType@Redfish.AllowableValues'],
        },
      ],
    });
  });

  it('powers the host off on ForceOff with 204, reporting PoweringOff until the world has the power Off', async () => {
    const target = `${bmc.systemPath}/Actions/ComputerSystem.Reset`;
    const reset = await redfish(bmc, target, { method: 'POST', body: { ResetType: 'ForceOff' } });
    expect(reset.status).toBe(204);
    expect(reset.body).toBeUndefined();
    const seen = new Set<unknown>();
    await eventually(
      async () => {
        const state = ((await redfish(bmc, bmc.systemPath)).body as { PowerState: string })
          .PowerState;
        seen.add(state);
        return state;
      },
      (state) => state === 'Off',
    );
    expect([...seen].every((state) => state === 'PoweringOff' || state === 'Off')).toBe(true);
    expect(world.commands).toEqual([{ host: 'cmp-01', state: 'Off', via: 'redfish' }]);
    expect(world.states.get('cmp-02')).toBe('On');

    await redfish(bmc, target, { method: 'POST', body: { ResetType: 'On' } });
    await eventually(
      () => Promise.resolve(world.states.get('cmp-01')),
      (state) => state === 'On',
    );
  });

  it('rejects an unknown ResetType with 400 ActionParameterValueNotInList in the DMTF error format', async () => {
    const rejected = await redfish(bmc, `${bmc.systemPath}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      body: { ResetType: 'Explode' },
    });
    expect(rejected.status).toBe(400);
    expect(rejected.body).toMatchObject({
      error: {
        code: expect.stringMatching(/^Base\.1\.\d+\.GeneralError$/) as unknown,
        message: expect.any(String) as unknown,
        '@Message.ExtendedInfo': [
          {
            MessageId: 'Base.1.22.ActionParameterValueNotInList',
            Message: expect.stringContaining("'Explode'") as unknown,
            MessageArgs: ['Explode', 'ResetType', 'ComputerSystem.Reset'],
            Severity: 'Warning',
          },
        ],
      },
    });
    const missing = await redfish(bmc, `${bmc.systemPath}/Actions/ComputerSystem.Reset`, {
      method: 'POST',
      body: {},
    });
    expect(messageIdOf(missing.body)).toBe('Base.1.22.ActionParameterMissing');
    expect(world.states.get('cmp-01')).toBe('On');
  });

  it('logs in with a session, serves requests for its X-Auth-Token, and refuses the token after logout', async () => {
    const service = await redfish(bmc, '/redfish/v1/SessionService');
    expectShapeOf(service.body, await mockup('SessionService'));
    const login = await redfish(bmc, '/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      auth: 'none',
      body: { UserName: bmc.username, Password: bmc.password },
    });
    expect(login.status).toBe(201);
    const token = login.headers.get('x-auth-token') ?? '';
    const location = login.headers.get('location') ?? '';
    expect(token).not.toBe('');
    expect(location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
    expectShapeOf(login.body, await mockup('SessionService/Sessions/1234567890ABCDEF'));
    expect(JSON.stringify(login.body)).not.toContain(bmc.password);

    expect((await redfish(bmc, bmc.systemPath, { auth: { token } })).status).toBe(200);
    const sessions = await redfish(bmc, '/redfish/v1/SessionService/Sessions', { auth: { token } });
    expectShapeOf(sessions.body, await mockup('SessionService/Sessions'));
    expect(sessions.body).toMatchObject({
      Members: expect.arrayContaining([{ '@odata.id': location }]) as unknown,
    });

    expect((await redfish(bmc, location, { method: 'DELETE', auth: { token } })).status).toBe(204);
    expect((await redfish(bmc, bmc.systemPath, { auth: { token } })).status).toBe(401);
  });

  it('refuses a session login with a wrong password', async () => {
    const login = await redfish(bmc, '/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      auth: 'none',
      body: { UserName: bmc.username, Password: 'not-the-password' },
    });
    expect(login.status).toBe(401);
    expect(login.headers.has('x-auth-token')).toBe(false);
  });

  it('is trusted by a client holding the fleet CA bundle and refused by one without it', async () => {
    expect((await redfish(bmc, '/redfish/v1/', { auth: 'none' })).curlExit).toBe(0);
    const untrusted = await redfish(bmc, '/redfish/v1/', { auth: 'none', trustCa: false });
    expect(untrusted.curlExit).toBe(60);
    expect(untrusted.stderr).toMatch(/certificate/i);
  });
});

describe('a simulated Redfish BMC over plain HTTP with a fast clock', () => {
  let fleet: BmcFleet;
  let bmc: RedfishEndpoint;

  beforeAll(async () => {
    // 1800 simulated seconds of session timeout last under 2 real milliseconds.
    const started = await startTestFleet([{ host: 'cmp-09', ipmi: false }], {
      timeScale: 1_000_000,
      tls: false,
    });
    fleet = started.fleet;
    bmc = started.endpointsOf('cmp-09').redfish;
  });
  afterAll(async () => {
    await fleet.stop();
  });

  it('serves plain HTTP without a CA bundle when TLS is off', async () => {
    expect(bmc.url).toMatch(/^http:\/\//);
    expect(bmc.caBundle).toBeUndefined();
    expect((await redfish(bmc, '/redfish/v1/', { auth: 'none' })).status).toBe(200);
  });

  it('answers 401 once a session has been idle longer than its SessionTimeout', async () => {
    const login = await redfish(bmc, '/redfish/v1/SessionService/Sessions', {
      method: 'POST',
      auth: 'none',
      body: { UserName: bmc.username, Password: bmc.password },
    });
    expect(login.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const expired = await redfish(bmc, bmc.systemPath, {
      auth: { token: login.headers.get('x-auth-token') ?? '' },
    });
    expect(expired.status).toBe(401);
    expect(messageIdOf(expired.body)).toBe('Base.1.22.NoValidSession');
  });
});
