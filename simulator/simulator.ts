// startSimulator(): one simulated cloud (Keystone, Nova, BMCs, admin API) on loopback ports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminHandler } from './admin/app.ts';
import type {
  BmcEndpoints,
  BmcFleet,
  BmcFleetOptions,
  RackPdu,
  RackPduOptions,
  StartBmcFleet,
} from './bmc/bmc-contract.ts';
import { createClock } from './clock.ts';
import { writeCloudsYaml } from './clouds-yaml.ts';
import type { SimulatorControls } from './controls.ts';
import { describeWorld } from './controls.ts';
import { FaultTable } from './http/faults.ts';
import type { HttpService } from './http/server.ts';
import { listenOnLoopback } from './http/server.ts';
import type { Identity } from './identity.ts';
import { createIdentity } from './identity.ts';
import { createKeystoneHandler } from './keystone/app.ts';
import { TokenStore } from './keystone/tokens.ts';
import { checkInvariants } from './ledger/invariants.ts';
import { Ledger } from './ledger/ledger.ts';
import { createNovaHandler } from './nova/app.ts';
import { createPlacementHandler } from './placement/app.ts';
import type { Microversion } from './nova/microversion.ts';
import type { SeededRandom } from './random.ts';
import { createRandom } from './random.ts';
import { buildWorld } from './world/build.ts';
import type { Capacity, WorldTiming } from './world/model.ts';
import { defaultTiming } from './world/model.ts';
import { World, WorldError } from './world/world.ts';

export interface SimulatorOptions {
  hosts: number;
  instancesPerHost: number;
  /** Empty hosts after the `hosts` ones (their names continue the numbering), e.g. to evacuate a big host to. */
  spareHosts?: number;
  /** Every host's vCPUs, RAM and disk (512, 1 TiB and 16 TB by default). */
  hostCapacity?: Capacity;
  seed?: number;
  /** Simulated time runs this many times faster than real time. */
  timeScale?: number;
  /** The highest microversion Nova offers, as the minor part (95 for 2.95; 93 matches Zed). */
  novaMaxMicroversion?: Microversion;
  /** Overrides of Nova's timings, in simulated milliseconds. */
  timing?: Partial<WorldTiming>;
  /** Keystone [token] expiration in real milliseconds (one hour by default), like every timestamp clients see. */
  tokenLifetimeMs?: number;
  /** Starts the BMCs; without it the hosts have none (power is then set through the admin API). */
  startBmcFleet?: StartBmcFleet;
  bmc?: Partial<Pick<BmcFleetOptions, 'powerTransitionMs' | 'redfishResponseStyle' | 'tls'>> & {
    /** How many hosts, from the first, also get an IPMI BMC (an ipmi_sim process each); all by default. */
    ipmiHosts?: number;
    /** Also a switched rack PDU whose outlets feed the hosts (none by default). */
    pdu?: RackPduOptions;
  };
}

export interface SimulatorCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainId: string;
  projectDomainId: string;
  applicationCredential: { id: string; name: string; secret: string };
}

export interface Simulator extends SimulatorControls {
  keystoneUrl: string;
  /** Nova's endpoint as the catalog lists it (…/v2.1). */
  novaUrl: string;
  /** Placement's endpoint as the catalog lists it (reads only: providers, inventories, usages). */
  placementUrl: string;
  adminUrl: string;
  /** The credentials Keystone accepts now. */
  readonly credentials: SimulatorCredentials;
  cloudsYamlPath: string;
  /** Writes clouds.yaml again with the credentials Keystone accepts now, as after a rotation. */
  writeCloudsYaml(): Promise<void>;
  bmcs: Readonly<Record<string, BmcEndpoints>>;
  /** The rack PDU, when started with `bmc.pdu`: its endpoint, its faults and its outlets' states. */
  pdu?: RackPdu;
  /** Simulated time, so tests can measure durations as Nova's configuration states them. */
  now(): number;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const timeScale = options.timeScale ?? 1;
  const clock = createClock(timeScale);
  const random = createRandom(options.seed ?? 1);
  const identity = createIdentity(random);
  const ledger = new Ledger(() => clock.wallNow());
  const timing = { ...defaultTiming, ...options.timing };
  const world = new World(
    buildWorld(options, identity, random, clock.wallNow()),
    clock,
    random,
    ledger,
    timing,
  );
  const tokens = new TokenStore(clock, random, options.tokenLifetimeMs ?? 3_600_000);
  const faults = new FaultTable();
  const workDir = await mkdtemp(join(tmpdir(), 'lazarus-sim-'));
  const services: HttpService[] = [];
  let fleet: BmcFleet | undefined;
  const urls = { keystone: '', nova: '', placement: '' };
  const novaRequests: NovaRequestCounts = { count: 0, byKind: {} };

  const stop = async (): Promise<void> => {
    clock.stop();
    await fleet?.stop();
    await Promise.all(services.map((s) => s.close()));
    await rm(workDir, { recursive: true, force: true });
  };

  try {
    const keystone = await listenOnLoopback(
      createKeystoneHandler({
        identity,
        tokens,
        faults,
        clock,
        random,
        novaUrl: () => urls.nova,
        placementUrl: () => urls.placement,
        keystoneUrl: () => urls.keystone,
      }),
    );
    services.push(keystone);
    urls.keystone = keystone.url;
    const nova = await listenOnLoopback(
      createNovaHandler({
        deps: {
          world,
          ledger,
          clock,
          random,
          maxMicroversion: options.novaMaxMicroversion ?? 95,
          isInstancePasswordEnabled: true,
        },
        tokens,
        faults,
        keystoneUrl: () => urls.keystone,
        onRequest: (kind) => {
          novaRequests.count += 1;
          novaRequests.byKind[kind] = (novaRequests.byKind[kind] ?? 0) + 1;
        },
      }),
    );
    services.push(nova);
    urls.nova = `${nova.url}/v2.1`;
    const placement = await listenOnLoopback(
      createPlacementHandler({ world, tokens, random, keystoneUrl: () => urls.keystone }),
    );
    services.push(placement);
    urls.placement = placement.url;
    if (options.startBmcFleet !== undefined) {
      const ipmiHosts = options.bmc?.ipmiHosts ?? options.hosts;
      fleet = await options.startBmcFleet(
        [...world.hosts.keys()].map((host, i) => ({ host, ipmi: i < ipmiHosts })),
        {
          power: world,
          timeScale,
          workDir,
          powerTransitionMs: options.bmc?.powerTransitionMs ?? 2000,
          redfishResponseStyle: options.bmc?.redfishResponseStyle ?? '204',
          tls: options.bmc?.tls ?? true,
          ...(options.bmc?.pdu === undefined ? {} : { pdu: options.bmc.pdu }),
        },
      );
    }
    const controls = createControls(world, ledger, faults, tokens, () => fleet, {
      identity,
      random,
      novaRequests,
    });
    const admin = await listenOnLoopback(createAdminHandler(controls));
    services.push(admin);
    const cloudsYamlPath = join(workDir, 'clouds.yaml');
    await writeCloudsYaml(cloudsYamlPath, urls.keystone, identity);
    return {
      ...controls,
      keystoneUrl: urls.keystone,
      novaUrl: urls.nova,
      placementUrl: urls.placement,
      adminUrl: admin.url,
      get credentials() {
        return credentialsOf(identity);
      },
      cloudsYamlPath,
      writeCloudsYaml: () => writeCloudsYaml(cloudsYamlPath, urls.keystone, identity),
      bmcs: fleet?.endpoints ?? {},
      ...(fleet?.pdu === undefined ? {} : { pdu: fleet.pdu }),
      now: () => clock.now(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Requests Nova's API received: in all, and by method and route. */
interface NovaRequestCounts {
  count: number;
  byKind: Record<string, number>;
}

function createControls(
  world: World,
  ledger: Ledger,
  faults: FaultTable,
  tokens: TokenStore,
  fleet: () => BmcFleet | undefined,
  /** Beyond the world: who Keystone accepts, and how many requests Nova received. */
  cloud: { identity: Identity; random: SeededRandom; novaRequests: NovaRequestCounts },
): SimulatorControls {
  return {
    failHost: (host, mode) => {
      world.fail(host, mode);
    },
    restartCompute: (host) => {
      world.restartCompute(host);
    },
    setHostCapacity: (host, capacity) => {
      world.setCapacity(host, capacity);
    },
    setPower: (host, state) => {
      world.applyPower(host, state, 'sim-admin');
    },
    addFault: (rule) => {
      faults.add(rule);
    },
    clearFaults: () => {
      faults.clear();
    },
    faults: () => faults.list(),
    setBmcFaults: (host, bmcFaults) => {
      world.host(host);
      const bmcs = fleet();
      if (bmcs === undefined)
        throw new WorldError(
          409,
          'this simulator runs without BMCs (it was started without startBmcFleet)',
        );
      bmcs.setFaults(host, bmcFaults);
    },
    setPduFaults: (pduFaults) => {
      const pdu = fleet()?.pdu;
      if (pdu === undefined)
        throw new WorldError(
          409,
          'this simulator runs without a PDU (start it with bmc: { pdu: … } or --pdu-outlets-per-host)',
        );
      pdu.setFaults(pduFaults);
    },
    expireTokens: () => {
      tokens.expireAll();
    },
    rotatePassword: () => {
      cloud.identity.admin.password = cloud.random.hex(12);
      tokens.expireAll();
    },
    novaRequests: () => cloud.novaRequests.count,
    novaRequestsByKind: () => ({ ...cloud.novaRequests.byKind }),
    ledger: () => ledger.entries(),
    invariants: () => ({ violations: checkInvariants(ledger.entries()) }),
    state: () => describeWorld(world),
  };
}

function credentialsOf(identity: Identity): SimulatorCredentials {
  const { admin, adminProject, domain, appCredential } = identity;
  return {
    username: admin.name,
    password: admin.password,
    projectName: adminProject.name,
    userDomainId: domain.id,
    projectDomainId: domain.id,
    applicationCredential: {
      id: appCredential.id,
      name: appCredential.name,
      secret: appCredential.secret,
    },
  };
}
