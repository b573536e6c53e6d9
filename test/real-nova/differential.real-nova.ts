// The same requests against a real Nova 26.2.2 (max 2.93) and our simulator capped at 2.93: status
// codes, fault names and messages must agree, once host names and uuids are put aside. Differences
// that remain on purpose belong in KNOWN-DIFFERENCES with their reason (issue 9, item 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOpenStackTime } from '../../activities/openstack/openstack-time.ts';
import { startSimulator, type Simulator } from '../../simulator/simulator.ts';
import { bootOn, novaAt, until, type Answer, type NovaCall } from './nova-calls.ts';
import { startRealNova, type RealNova } from './real-nova.ts';

/** One cloud under test, as the scenarios see it: a token, Nova, and a host with a server on it. */
interface Peer {
  name: string;
  /** At 2.93 unless `microversion` says otherwise. */
  nova: NovaCall;
  /** A host with a server, its compute up and not forced down. */
  busyHost: string;
  serverOnBusyHost: string;
  /** A second host with a server, for the duplicate-evacuate race. */
  raceHost: string;
  serverOnRaceHost: string;
  /** A host left alone by every other scenario, free to be forced down and up. */
  spareHost: string;
  /** Every host name this peer has, to blank out of messages. */
  hosts: string[];
}

async function token(
  authUrl: string,
  user: Record<string, unknown>,
  project: Record<string, unknown>,
): Promise<string> {
  const response = await fetch(`${authUrl}/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: { identity: { methods: ['password'], password: { user } }, scope: { project } },
    }),
  });
  await response.body?.cancel();
  const subject = response.headers.get('x-subject-token');
  if (response.status !== 201 || subject === null)
    throw new Error(`no token from ${authUrl}: ${response.status}`);
  return subject;
}

async function realPeer(real: RealNova): Promise<Peer> {
  const { username, password, projectName, userDomainName, projectDomainName } = real.credentials;
  const nova = novaAt(
    real.novaUrl,
    await token(
      `${real.keystoneUrl}/v3`,
      { name: username, password, domain: { name: userDomainName } },
      { name: projectName, domain: { name: projectDomainName } },
    ),
  );
  const [busyHost, raceHost, spareHost] = real.computeHosts;
  if (busyHost === undefined || raceHost === undefined || spareHost === undefined)
    throw new Error('the real-Nova suite needs three computes');
  const [serverOnBusyHost, serverOnRaceHost] = await Promise.all([
    bootOn(nova, real, busyHost, `differential-${busyHost}`),
    bootOn(nova, real, raceHost, `differential-${raceHost}`),
  ]);
  return {
    name: 'real Nova',
    nova,
    busyHost,
    serverOnBusyHost,
    raceHost,
    serverOnRaceHost,
    spareHost,
    hosts: real.computeHosts,
  };
}

async function activeServerOn(nova: Peer['nova'], host: string): Promise<string> {
  // The simulator seeds a mix of ACTIVE and SHUTOFF servers; the real one has one per host, ACTIVE.
  const { body } = await nova('GET', `/servers/detail?all_tenants=1&host=${host}`);
  const server = (body as { servers: { id: string; status: string }[] }).servers.find(
    (s) => s.status === 'ACTIVE',
  );
  if (server === undefined) throw new Error(`the simulator put no ACTIVE server on ${host}`);
  return server.id;
}

async function simulatedPeer(sim: Simulator): Promise<Peer> {
  const { username, password, projectName, userDomainId, projectDomainId } = sim.credentials;
  const nova = novaAt(
    sim.novaUrl,
    await token(
      `${sim.keystoneUrl}/v3`,
      { name: username, password, domain: { id: userDomainId } },
      { name: projectName, domain: { id: projectDomainId } },
    ),
  );
  const services = await nova('GET', '/os-services?binary=nova-compute');
  const hosts = (services.body as { services: { host: string }[] }).services
    .map((s) => s.host)
    .sort();
  const [busyHost, raceHost, spareHost] = hosts;
  if (busyHost === undefined || raceHost === undefined || spareHost === undefined)
    throw new Error('the simulator needs three hosts');
  return {
    name: 'simulator',
    nova,
    busyHost,
    serverOnBusyHost: await activeServerOn(nova, busyHost),
    raceHost,
    serverOnRaceHost: await activeServerOn(nova, raceHost),
    spareHost,
    hosts,
  };
}

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Fault {
  status: number;
  fault: string;
  message: string;
}

/** An error answer as an operator would read it, with this peer's names replaced by placeholders. */
function fault(peer: Peer, answer: Answer): Fault {
  const [name, detail] = Object.entries(answer.body as Record<string, { message?: string }>)[0] ?? [
    '(no body)',
    {},
  ];
  let message = String(detail.message);
  for (const host of peer.hosts) message = message.replaceAll(host, '<host>');
  return { status: answer.status, fault: name, message: message.replace(uuidPattern, '<uuid>') };
}

async function serviceUuid(peer: Peer, host: string): Promise<string> {
  const { body } = await peer.nova('GET', `/os-services?binary=nova-compute&host=${host}`);
  const service = (body as { services: { id: string }[] }).services[0];
  if (service === undefined) throw new Error(`${peer.name} has no nova-compute on ${host}`);
  return service.id;
}

let real: RealNova | undefined;
let sim: Simulator | undefined;
let peers: [Peer, Peer];

beforeAll(async () => {
  sim = await startSimulator({ hosts: 3, instancesPerHost: 4, novaMaxMicroversion: 93 });
  real = await startRealNova();
  peers = [await realPeer(real), await simulatedPeer(sim)];
});

afterAll(async () => {
  await Promise.all([real?.stop(), sim?.stop()]);
});

/** Runs one scenario on both peers and hands both results over for comparison. */
async function onBoth<T>(scenario: (peer: Peer) => Promise<T>): Promise<{ real: T; simulated: T }> {
  const [realPeerAnswer, simulatedAnswer] = [await scenario(peers[0]), await scenario(peers[1])];
  return { real: realPeerAnswer, simulated: simulatedAnswer };
}

describe('PUT /os-services/{id} at 2.93', () => {
  it('forces a compute down and back up, answering with the whole service record', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) => {
      const id = await serviceUuid(peer, peer.spareHost);
      const down = await peer.nova('PUT', `/os-services/${id}`, { forced_down: true });
      const up = await peer.nova('PUT', `/os-services/${id}`, { forced_down: false });
      const pick = (answer: Answer) => {
        const { forced_down, state, status, binary } = (
          answer.body as { service: Record<string, unknown> }
        ).service;
        return { code: answer.status, forced_down, state, status, binary };
      };
      return { down: pick(down), up: pick(up) };
    });
    expect(r.down).toEqual({
      code: 200,
      forced_down: true,
      state: 'down',
      status: 'enabled',
      binary: 'nova-compute',
    });
    expect(s).toEqual(r);
  });

  it('rejects a body with nothing to update', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(
        peer,
        await peer.nova('PUT', `/os-services/${await serviceUuid(peer, peer.spareHost)}`, {}),
      ),
    );
    expect(r.status).toBe(400);
    expect(s).toEqual(r);
  });

  it('rejects a disabled_reason given with status enabled', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(
        peer,
        await peer.nova('PUT', `/os-services/${await serviceUuid(peer, peer.spareHost)}`, {
          status: 'enabled',
          disabled_reason: 'x',
        }),
      ),
    );
    expect(r.status).toBe(400);
    expect(s).toEqual(r);
  });

  // Nova's boolean schema takes the strings 'yes', 'on', '1', 'true' (any case) as true as well,
  // so "parsed strictly" means: anything outside that list is a 400.
  it('takes "yes" for true, as Nova\'s boolean schema does', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) => {
      const id = await serviceUuid(peer, peer.spareHost);
      const answer = await peer.nova('PUT', `/os-services/${id}`, { forced_down: 'yes' });
      await peer.nova('PUT', `/os-services/${id}`, { forced_down: false });
      return {
        status: answer.status,
        forcedDown: (answer.body as { service?: { forced_down?: unknown } }).service?.forced_down,
      };
    });
    expect(r).toEqual({ status: 200, forcedDown: true });
    expect(s).toEqual(r);
  });

  it('rejects a forced_down that is no boolean at all', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(
        peer,
        await peer.nova('PUT', `/os-services/${await serviceUuid(peer, peer.spareHost)}`, {
          forced_down: 'maybe',
        }),
      ),
    );
    expect(r).toEqual({
      status: 400,
      fault: 'badRequest',
      message:
        "Invalid input for field/attribute forced_down. Value: maybe. 'maybe' is not one of [True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']",
    });
    expect(s).toEqual(r);
  });

  it('rejects an id that is not a uuid', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(peer, await peer.nova('PUT', '/os-services/not-a-uuid', { forced_down: true })),
    );
    expect(r.status).toBe(400);
    expect(s).toEqual(r);
  });
});

describe('POST /servers/{id}/action evacuate at 2.93', () => {
  it('refuses while the source compute is still up, with 400 "still in use"', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(
        peer,
        await peer.nova('POST', `/servers/${peer.serverOnBusyHost}/action`, { evacuate: {} }),
      ),
    );
    expect(r).toEqual({
      status: 400,
      fault: 'badRequest',
      message: 'Compute service of <host> is still in use.',
    });
    expect(s).toEqual(r);
  });

  it('answers a target host that does not exist', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(
        peer,
        await peer.nova('POST', `/servers/${peer.serverOnBusyHost}/action`, {
          evacuate: { host: 'nowhere' },
        }),
      ),
    );
    expect(s).toEqual(r);
  });

  it('rejects the force flag that 2.68 removed', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(
        peer,
        await peer.nova('POST', `/servers/${peer.serverOnBusyHost}/action`, {
          evacuate: { force: true },
        }),
      ),
    );
    expect(r.status).toBe(400);
    expect(s).toEqual(r);
  });
});

describe('microversions', () => {
  it('refuses 2.95 with 406, naming the maximum 2.93', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) =>
      fault(peer, await peer.nova('GET', '/servers', undefined, '2.95')),
    );
    expect(r).toEqual({
      status: 406,
      fault: 'computeFault',
      message: 'Version 2.95 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
    });
    expect(s).toEqual(r);
  });
});

describe('GET /os-migrations at 2.93', () => {
  it('filters by type and instance, finding no evacuation of an untouched server', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) => {
      const answer = await peer.nova(
        'GET',
        `/os-migrations?migration_type=evacuation&instance_uuid=${peer.serverOnBusyHost}`,
      );
      return { status: answer.status, body: answer.body };
    });
    expect(r).toEqual({ status: 200, body: { migrations: [] } });
    expect(s).toEqual(r);
  });

  it.each<[string, string]>([
    ['an unknown migration type', 'migration_type=bogus'],
    ['an unknown query parameter', 'colour=blue'],
    ['a changes-since that is not a time', 'changes-since=yesterday'],
  ])('answers %s the same way', async (_what, query) => {
    const { real: r, simulated: s } = await onBoth(async (peer) => {
      const answer = await peer.nova('GET', `/os-migrations?${query}`);
      return answer.status === 200
        ? { status: 200, count: (answer.body as { migrations: unknown[] }).migrations.length }
        : fault(peer, answer);
    });
    expect(s).toEqual(r);
  });
});

// These last two change their hosts for good: forced down, servers evacuated.
describe('an evacuation from a forced-down host at 2.93', () => {
  it('is accepted, reaches migration "done" on another host, and then blocks un-forcing', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) => {
      const serviceId = await serviceUuid(peer, peer.busyHost);
      await peer.nova('PUT', `/os-services/${serviceId}`, {
        status: 'disabled',
        disabled_reason: 'differential',
        forced_down: true,
      });
      const evacuate = await peer.nova('POST', `/servers/${peer.serverOnBusyHost}/action`, {
        evacuate: {},
      });
      const migration = await until(
        `${peer.name}: evacuation of ${peer.serverOnBusyHost} settled`,
        async () => {
          const { body } = await peer.nova(
            'GET',
            `/os-migrations?migration_type=evacuation&instance_uuid=${peer.serverOnBusyHost}`,
          );
          const found = (body as { migrations: { status: string; created_at: string }[] })
            .migrations[0];
          return found !== undefined &&
            ['done', 'failed', 'error', 'completed'].includes(found.status)
            ? found
            : undefined;
        },
      );
      const { body } = await peer.nova('GET', `/servers/${peer.serverOnBusyHost}`);
      const server = (body as { server: Record<string, unknown> }).server;
      const unforce = await peer.nova('PUT', `/os-services/${serviceId}`, { forced_down: false });
      // The landing watch's one listing of the servers that changed since the evacuate was accepted.
      const since = new Date(parseOpenStackTime(migration.created_at) ?? Number.NaN).toISOString();
      const changed = await peer.nova(
        'GET',
        `/servers/detail?all_tenants=1&changes-since=${encodeURIComponent(since)}`,
      );
      const listed = (changed.body as { servers: { id: string }[] }).servers.map(({ id }) => id);
      return {
        evacuate: evacuate.status,
        migration: migration.status,
        hostChanged: server['OS-EXT-SRV-ATTR:host'] !== peer.busyHost,
        status: server.status,
        taskState: server['OS-EXT-STS:task_state'],
        unforce: fault(peer, unforce),
        changedSince: {
          status: changed.status,
          evacuatedListed: listed.includes(peer.serverOnBusyHost),
          untouchedListed: listed.includes(peer.serverOnRaceHost),
        },
      };
    });
    expect(r).toMatchObject({
      evacuate: 200,
      migration: 'done',
      hostChanged: true,
      status: 'ACTIVE',
      taskState: null,
      changedSince: { status: 200, evacuatedListed: true, untouchedListed: false },
    });
    expect(r.unforce.status).toBe(400);
    expect(s).toEqual(r);
  });
});

describe('a duplicate evacuate at 2.93', () => {
  // Real Nova has no task_state guard on evacuate
  // (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate): the second request is accepted
  // too, which is why Lazarus deduplicates through os-migrations. The simulator must not be kinder.
  it('is accepted like the first when sent right after it', async () => {
    const { real: r, simulated: s } = await onBoth(async (peer) => {
      await peer.nova('PUT', `/os-services/${await serviceUuid(peer, peer.raceHost)}`, {
        status: 'disabled',
        disabled_reason: 'differential',
        forced_down: true,
      });
      const action = `/servers/${peer.serverOnRaceHost}/action`;
      const first = await peer.nova('POST', action, { evacuate: {} });
      const second = await peer.nova('POST', action, { evacuate: {} });
      return { first: first.status, second: second.status === 200 ? 200 : fault(peer, second) };
    });
    expect(r.first).toBe(200);
    expect(s).toEqual(r);
  });
});
