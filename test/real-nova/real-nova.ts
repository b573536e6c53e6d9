// A real Nova 26.2.2 (Zed) on loopback, for tests: PostgreSQL, RabbitMQ, Keystone, Placement,
// nova-api, conductor, scheduler and N nova-compute processes with the fake virt driver, plus our
// Glance/Neutron stubs. Recipe and timings: docs/nova-and-bmc-facts.md#real-nova-tier. Everything
// binds 127.0.0.1 on free ports and runs under the project's process guardian, so nothing outlives
// the caller.
import { execFileSync } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { findFreePortInRange } from '../../infra/process/free-port.ts';
import {
  databaseNames,
  databaseUrl,
  keystoneConf,
  keystoneUrl,
  novaCommonConf,
  novaComputeConf,
  novaControllerConf,
  novaUrl,
  placementConf,
  placementUrl,
  renderIni,
  type Ini,
  type Layout,
  type Ports,
} from './configs.ts';
import { startImageAndNetworkStubs, stubImageId, type Stubs } from './image-and-network-stubs.ts';
import {
  startComputeBmcs,
  type ComputeBmc,
  type ComputeBmcs,
  type PowerEvent,
} from './compute-bmcs.ts';
import { installRealNova, type RealNovaInstallation } from './install.ts';
import {
  acceptsConnections,
  answersHttp,
  ProcessGroup,
  waitUntil,
  type Daemon,
} from './processes.ts';

export const realNovaCloudName = 'lazarus-real-nova';
/** Debian's Nova is Zed (docs/nova-and-bmc-facts.md#microversion-negotiation). */
export const realNovaMaxMicroversion = '2.93';

export interface RealNovaCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
  regionName: string;
}

export interface RealNova {
  /** Keystone's root; the v3 API is at `${keystoneUrl}/v3`. */
  keystoneUrl: string;
  novaUrl: string;
  credentials: RealNovaCredentials;
  cloudsYaml: string;
  cloudName: string;
  computeHosts: string[];
  imageId: string;
  flavorId: string;
  /** Logs and state of this run; removed by stop() unless `keepFiles`. */
  dir: string;
  /** Milliseconds spent per phase of the start. */
  timings: Record<string, number>;
  /** One IPMI BMC per compute whose chassis power is that nova-compute process (empty without `ipmi`). */
  bmcs: Record<string, ComputeBmc>;
  /** Every power change the BMCs carried out, in order. */
  powerLog: readonly PowerEvent[];
  /** A project-scoped admin token, fresh on each call. */
  adminToken(): Promise<string>;
  stop(): Promise<void>;
}

export interface RealNovaOptions {
  computeCount?: number;
  /** Start an ipmi_sim BMC per compute (default true). */
  ipmi?: boolean;
  /** Keep the temp dir (logs, configs) after stop(), for debugging. */
  keepFiles?: boolean;
  log?: (line: string) => void;
}

// A bound on a hang, not a wait: readiness fails at once if the daemon dies. Generous, since on a
// shared two-core machine at load 30 RabbitMQ alone took over a minute to listen.
const READY_TIMEOUT_MS = 180_000;

const serveWsgi = fileURLToPath(new URL('./serve-wsgi.py', import.meta.url));

/** Arguments for python3 to run `module.func()` with `args` in sys.argv, as a console script would. */
function pythonEntry(module: string, func: string, args: readonly string[]): string[] {
  return ['-c', `import sys; from ${module} import ${func}; sys.exit(${func}())`, ...args];
}

/**
 * The ports are picked at the start and bound up to minutes later (nova-api last), so not from the
 * kernel's ephemeral range (32768 and up), where any outgoing connection of the machine may take one
 * meanwhile: a clean-clone CI run lost nova-api to "Address already in use" so. Below the range
 * the cluster of `npm run cluster` uses (20000 and up).
 */
const freePortBelowEphemeral = () => findFreePortInRange(10_000, 20_000);

async function freePorts(): Promise<Ports> {
  const names = [
    'postgres',
    'rabbit',
    'rabbitDist',
    'epmd',
    'keystone',
    'placement',
    'novaApi',
  ] as const;
  const ports: Partial<Record<(typeof names)[number], number>> = {};
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePortBelowEphemeral();
    while (taken.has(port)) port = await freePortBelowEphemeral();
    taken.add(port);
    ports[name] = port;
  }
  return ports as Ports;
}

class Timer {
  readonly timings: Record<string, number> = {};
  private readonly started = Date.now();
  constructor(private readonly log: (line: string) => void) {}
  async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const start = Date.now();
    const result = await work();
    this.timings[name] = Date.now() - start;
    this.log(
      `real-nova: ${name} ready in ${this.timings[name]} ms (${Date.now() - this.started} ms since start)`,
    );
    return result;
  }
}

export async function startRealNova(options: RealNovaOptions = {}): Promise<RealNova> {
  const log =
    options.log ??
    ((line: string) => {
      console.error(line);
    });
  const computeHosts = Array.from({ length: options.computeCount ?? 3 }, (_, i) => `cmp${i + 1}`);
  const timer = new Timer(log);
  const installation = await timer.phase('install', () => Promise.resolve(installRealNova()));

  const dir = mkdtempSync(join(tmpdir(), 'lazarus-real-nova-'));
  // PostgreSQL refuses to run as root, so its user must be able to reach its data dir in here.
  chmodSync(dir, 0o755);
  for (const sub of ['logs', 'etc', 'keystone', 'nova/locks', 'rabbit', 'bmc'])
    mkdirSync(join(dir, sub), { recursive: true });
  const group = new ProcessGroup(join(dir, 'logs'), {
    ...process.env,
    PYTHONDONTWRITEBYTECODE: '1',
  });
  let stubs: Stubs | undefined;
  let bmcs: ComputeBmcs | undefined;
  const stop = async (): Promise<void> => {
    // BMCs first: a power-on while the rest stops would start a compute nobody stops.
    await bmcs?.stop();
    await group.stopAll();
    await stubs?.close();
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  };

  try {
    stubs = await startImageAndNetworkStubs();
    const layout: Layout = {
      ports: await freePorts(),
      stubsUrl: stubs.url,
      dir,
      adminPassword: 'lazarus-admin',
    };
    const cloud = new Cloud(layout, group, installation, computeHosts);
    await Promise.all([
      timer.phase('postgres', () => cloud.startPostgres()),
      timer.phase('rabbitmq', () => cloud.startRabbitmq()),
    ]);
    await Promise.all([
      timer.phase('keystone', () => cloud.startKeystone()),
      timer.phase('placement', () => cloud.startPlacement()),
      timer.phase('nova databases', () => cloud.createNovaDatabases()),
    ]);
    await timer.phase('nova services', () => cloud.startNova());
    const flavorId = await timer.phase('hosts mapped', () => cloud.waitForComputes());
    if (options.ipmi ?? true) {
      bmcs = await timer.phase('BMCs', () =>
        startComputeBmcs(
          computeHosts,
          {
            powerOff: (host) => {
              void cloud.stopCompute(host);
            },
            powerOn: (host) => {
              cloud.startCompute(host);
            },
          },
          join(dir, 'bmc'),
        ),
      );
    }
    const cloudsYaml = join(dir, 'clouds.yaml');
    writeFileSync(
      cloudsYaml,
      stringify({ clouds: { [realNovaCloudName]: cloud.cloudsYamlEntry() } }),
      { mode: 0o600 },
    );
    return {
      keystoneUrl: keystoneUrl(layout),
      novaUrl: novaUrl(layout),
      credentials: cloud.credentials,
      cloudsYaml,
      cloudName: realNovaCloudName,
      computeHosts,
      imageId: stubImageId,
      flavorId,
      dir,
      timings: timer.timings,
      bmcs: bmcs?.bmcs ?? {},
      powerLog: bmcs?.powerLog ?? [],
      adminToken: () => cloud.adminToken(),
      stop,
    };
  } catch (error) {
    // Keep the logs of a failed start: the error names the dir and the last lines of the culprit.
    options.keepFiles = true;
    await stop();
    throw new Error(
      `real Nova did not start (logs in ${join(dir, 'logs')}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Teardown order, top first: computes still talk to the conductor as they shut down. */
enum Layer {
  storage,
  broker,
  identity,
  novaControl,
  compute,
}

/** The steps of one start, sharing the layout and the process group. */
class Cloud {
  readonly credentials: RealNovaCredentials;
  private readonly etc: string;
  private postgres: Daemon | undefined;

  constructor(
    private readonly layout: Layout,
    private readonly group: ProcessGroup,
    private readonly installation: RealNovaInstallation,
    private readonly computeHosts: string[],
  ) {
    this.etc = join(layout.dir, 'etc');
    this.credentials = {
      username: 'admin',
      password: layout.adminPassword,
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      regionName: 'RegionOne',
    };
  }

  private writeConf(name: string, ini: Ini): string {
    const path = join(this.etc, name);
    writeFileSync(path, renderIni(ini));
    return path;
  }

  private python(module: string, func: string, args: readonly string[]): Promise<string> {
    return this.group.run(this.installation.python, pythonEntry(module, func, args));
  }

  private asPostgres(command: string): string[] {
    return [
      '--reuid=postgres',
      '--regid=postgres',
      '--init-groups',
      join(this.installation.postgresBin, command),
    ];
  }

  async startPostgres(): Promise<void> {
    const data = join(this.layout.dir, 'pgdata');
    mkdirSync(data);
    const { uid, gid } = postgresUser();
    chownSync(data, uid, gid);
    await this.group.run('setpriv', [
      ...this.asPostgres('initdb'),
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const port = this.layout.ports.postgres;
    this.postgres = this.group.start('postgres', Layer.storage, 'setpriv', [
      ...this.asPostgres('postgres'),
      '-D',
      data,
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      // Throwaway data: durability costs seconds on every migration and buys nothing here.
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      // Every Python process keeps a SQLAlchemy pool; the default 100 is tight with 8+ of them.
      '-c',
      'max_connections=300',
    ]);
    const psql = (sql: string) =>
      this.group.run('psql', [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-qAt',
        '-c',
        sql,
      ]);
    await waitUntil(
      'PostgreSQL',
      async () => {
        await psql('SELECT 1');
        return true;
      },
      { timeoutMs: READY_TIMEOUT_MS, watch: [this.postgres] },
    );
    for (const name of databaseNames) await psql(`CREATE DATABASE ${name}`);
  }

  async startRabbitmq(): Promise<void> {
    const { epmd, rabbit, rabbitDist } = this.layout.ports;
    const home = join(this.layout.dir, 'rabbit');
    const plugins = join(home, 'enabled_plugins');
    writeFileSync(plugins, '[].\n');
    // Our own epmd, in the foreground so that teardown can stop it: one that RabbitMQ starts itself
    // daemonizes, outlives the broker, and listens on every interface.
    const epmdDaemon = this.group.start('epmd', Layer.storage, 'epmd', [
      '-address',
      '127.0.0.1',
      '-port',
      String(epmd),
    ]);
    await waitUntil('epmd', () => acceptsConnections(epmd), {
      timeoutMs: 10_000,
      watch: [epmdDaemon],
    });
    const broker = this.group.start(
      'rabbitmq',
      Layer.broker,
      this.installation.rabbitmqServer,
      [],
      {
        env: {
          HOME: home,
          ERL_EPMD_PORT: String(epmd),
          ERL_EPMD_ADDRESS: '127.0.0.1',
          RABBITMQ_NODENAME: `lazarus${rabbit}@localhost`,
          RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
          RABBITMQ_NODE_PORT: String(rabbit),
          RABBITMQ_DIST_PORT: String(rabbitDist),
          // The distribution port otherwise binds every interface (docs/nova-and-bmc-facts.md#real-nova-tier).
          RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
          RABBITMQ_MNESIA_BASE: join(home, 'mnesia'),
          RABBITMQ_LOG_BASE: join(home, 'log'),
          RABBITMQ_LOGS: '-',
          RABBITMQ_PID_FILE: join(home, 'rabbit.pid'),
          RABBITMQ_ENABLED_PLUGINS_FILE: plugins,
          RABBITMQ_CONFIG_FILE: join(home, 'rabbitmq'),
          RABBITMQ_ADVANCED_CONFIG_FILE: join(home, 'advanced.config'),
          RABBITMQ_CONF_ENV_FILE: join(home, 'rabbitmq-env.conf'),
        },
      },
    );
    // The AMQP listener opens only at the end of the boot, so a connection means ready.
    await waitUntil('RabbitMQ', () => acceptsConnections(rabbit), {
      timeoutMs: READY_TIMEOUT_MS,
      watch: [broker],
    });
  }

  private serve(
    name: string,
    layer: Layer,
    module: string,
    factory: string,
    port: number,
    env: NodeJS.ProcessEnv,
  ): Daemon {
    return this.group.start(
      name,
      layer,
      this.installation.python,
      [serveWsgi, module, factory, String(port)],
      { env },
    );
  }

  async startKeystone(): Promise<void> {
    const conf = this.writeConf('keystone.conf', keystoneConf(this.layout));
    for (const sub of ['fernet-keys', 'credential-keys'])
      mkdirSync(join(this.layout.dir, 'keystone', sub));
    const manage = (...args: string[]) =>
      this.python('keystone.cmd.manage', 'main', ['--config-file', conf, ...args]);
    // The key repositories must belong to the user the server runs as: us.
    const owner = ['--keystone-user', userInfo().username, '--keystone-group', userInfo().username];
    await manage('db_sync');
    await Promise.all([manage('fernet_setup', ...owner), manage('credential_setup', ...owner)]);
    const url = keystoneUrl(this.layout);
    await manage(
      'bootstrap',
      '--bootstrap-password',
      this.layout.adminPassword,
      '--bootstrap-username',
      'admin',
      '--bootstrap-project-name',
      'admin',
      '--bootstrap-role-name',
      'admin',
      '--bootstrap-service-name',
      'keystone',
      '--bootstrap-region-id',
      'RegionOne',
      '--bootstrap-admin-url',
      `${url}/v3`,
      '--bootstrap-public-url',
      `${url}/v3`,
      '--bootstrap-internal-url',
      `${url}/v3`,
    );
    const server = this.serve(
      'keystone',
      Layer.identity,
      'keystone.server.wsgi',
      'initialize_public_application',
      this.layout.ports.keystone,
      {
        OS_KEYSTONE_CONFIG_FILES: conf,
      },
    );
    await waitUntil('Keystone', () => answersHttp(`${url}/v3`), {
      timeoutMs: READY_TIMEOUT_MS,
      watch: [server],
    });
    await this.registerCompute();
  }

  async startPlacement(): Promise<void> {
    const conf = this.writeConf('placement.conf', placementConf(this.layout));
    await this.python('placement.cmd.manage', 'main', ['--config-file', conf, 'db', 'sync']);
    const server = this.serve(
      'placement',
      Layer.identity,
      'placement.wsgi',
      'init_application',
      this.layout.ports.placement,
      {
        OS_PLACEMENT_CONFIG_DIR: this.etc,
      },
    );
    await waitUntil('Placement', () => answersHttp(placementUrl(this.layout)), {
      timeoutMs: READY_TIMEOUT_MS,
      watch: [server],
    });
  }

  private novaCommon = (): string => this.writeConf('nova.conf', novaCommonConf(this.layout));
  private novaController = (): string =>
    this.writeConf('nova-controller.conf', novaControllerConf(this.layout));

  async createNovaDatabases(): Promise<void> {
    const confs = ['--config-file', this.novaCommon(), '--config-file', this.novaController()];
    const cell0 = this.writeConf('nova-cell0.conf', {
      database: { connection: databaseUrl(this.layout, 'nova_cell0') },
    });
    const manage = (...args: string[]) =>
      this.python('nova.cmd.manage', 'main', [...confs, ...args]);
    // `db sync` would migrate cell0 and cell1 one after the other, after the API database; the
    // three schemas are independent, so migrate each on its own (--local_cell: only [database]).
    await Promise.all([
      (async () => {
        await manage('api_db', 'sync');
        await manage(
          'cell_v2',
          'map_cell0',
          '--database_connection',
          databaseUrl(this.layout, 'nova_cell0'),
        );
        await manage('cell_v2', 'create_cell', '--name', 'cell1');
      })(),
      manage('db', 'sync', '--local_cell'),
      manage('--config-file', cell0, 'db', 'sync', '--local_cell'),
    ]);
  }

  private readonly computes = new Map<string, Daemon>();
  private controllers: Daemon[] = [];

  private daemon(
    name: string,
    layer: Layer,
    module: string,
    confs: string[],
    graceMs?: number,
  ): Daemon {
    const args = pythonEntry(
      module,
      'main',
      confs.flatMap((conf) => ['--config-file', conf]),
    );
    return this.group.start(
      name,
      layer,
      this.installation.python,
      args,
      graceMs === undefined ? {} : { graceMs },
    );
  }

  /** Starts (or restarts, after a power cycle) the nova-compute of `host`; its log continues. */
  startCompute(host: string): void {
    const conf = this.writeConf(`${host}.conf`, novaComputeConf(this.layout, host));
    // No grace: stopping a compute stands for cutting its host's power, so it gets no chance to
    // send a last heartbeat or shut down cleanly.
    this.computes.set(
      host,
      this.daemon(
        `nova-compute-${host}`,
        Layer.compute,
        'nova.cmd.compute',
        [join(this.etc, 'nova.conf'), conf],
        0,
      ),
    );
  }

  stopCompute(host: string): Promise<number> | undefined {
    return this.computes.get(host)?.process.stop();
  }

  async startNova(): Promise<void> {
    const common = join(this.etc, 'nova.conf');
    const controller = join(this.etc, 'nova-controller.conf');
    const api = this.serve(
      'nova-api',
      Layer.novaControl,
      'nova.api.openstack.compute.wsgi',
      'init_application',
      this.layout.ports.novaApi,
      {
        OS_NOVA_CONFIG_DIR: this.etc,
        // Nova loads its paste pipeline from the first file of this list (wsgi_app.init_application);
        // an absolute path survives its os.path.join with the dir.
        OS_NOVA_CONFIG_FILES: `${this.installation.novaApiPaste};nova.conf;nova-controller.conf`,
      },
    );
    this.controllers = [
      api,
      this.daemon('nova-conductor', Layer.novaControl, 'nova.cmd.conductor', [common, controller]),
      this.daemon('nova-scheduler', Layer.novaControl, 'nova.cmd.scheduler', [common, controller]),
    ];
    for (const host of this.computeHosts) this.startCompute(host);
    await waitUntil('nova-api', () => answersHttp(novaUrl(this.layout)), {
      timeoutMs: READY_TIMEOUT_MS,
      watch: [api],
    });
  }

  /** Waits until every compute reports up, maps the hosts into cell1, and creates a flavor. */
  async waitForComputes(): Promise<string> {
    const watch = [...this.controllers, ...this.computes.values()];
    const hosts = new Set(this.computeHosts);
    await waitUntil(
      'nova-compute services up',
      async () => {
        const { services } = (await this.nova('GET', '/os-services')) as {
          services: { binary: string; host: string; state: string }[];
        };
        const up = services.filter((s) => s.state === 'up');
        return (
          ['nova-conductor', 'nova-scheduler'].every((binary) =>
            up.some((s) => s.binary === binary),
          ) &&
          [...hosts].every((host) => up.some((s) => s.binary === 'nova-compute' && s.host === host))
        );
      },
      { timeoutMs: 120_000, watch, intervalMs: 500 },
    );
    await waitUntil(
      'hypervisors mapped',
      async () => {
        // Each compute creates its compute node row shortly after it reports up; map them all.
        await this.python('nova.cmd.manage', 'main', [
          '--config-file',
          join(this.etc, 'nova.conf'),
          '--config-file',
          join(this.etc, 'nova-controller.conf'),
          'cell_v2',
          'discover_hosts',
        ]);
        const { hypervisors } = (await this.nova('GET', '/os-hypervisors')) as {
          hypervisors: { hypervisor_hostname: string }[];
        };
        return [...hosts].every((host) => hypervisors.some((h) => h.hypervisor_hostname === host));
      },
      { timeoutMs: 120_000, watch, intervalMs: 1_000 },
    );
    const { flavor } = (await this.nova('POST', '/flavors', {
      flavor: { name: 'lazarus.tiny', ram: 64, vcpus: 1, disk: 0 },
    })) as { flavor: { id: string } };
    return flavor.id;
  }

  async adminToken(): Promise<string> {
    const { username, password, projectName, userDomainName, projectDomainName } = this.credentials;
    const response = await fetch(`${keystoneUrl(this.layout)}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: username, password, domain: { name: userDomainName } } },
          },
          // Nova's admin APIs are project-scoped (docs/nova-and-bmc-facts.md#project-scoped-admin).
          scope: { project: { name: projectName, domain: { name: projectDomainName } } },
        },
      }),
    });
    const token = response.headers.get('x-subject-token');
    await response.body?.cancel();
    if (response.status !== 201 || token === null)
      throw new Error(`Keystone refused the admin login: ${response.status}`);
    return token;
  }

  private async request(
    base: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        'x-auth-token': await this.adminToken(),
        'content-type': 'application/json',
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${base}${path}: ${response.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  }

  private nova(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.request(novaUrl(this.layout), method, path, body, {
      'openstack-api-version': `compute ${realNovaMaxMicroversion}`,
    });
  }

  /** Puts Nova in the catalog, where clients (ours and openstackclient) look it up. */
  private async registerCompute(): Promise<void> {
    const v3 = `${keystoneUrl(this.layout)}/v3`;
    const { service } = (await this.request(v3, 'POST', '/services', {
      service: { type: 'compute', name: 'nova' },
    })) as { service: { id: string } };
    for (const iface of ['public', 'internal', 'admin']) {
      await this.request(v3, 'POST', '/endpoints', {
        endpoint: {
          service_id: service.id,
          interface: iface,
          url: novaUrl(this.layout),
          region_id: 'RegionOne',
        },
      });
    }
  }

  cloudsYamlEntry(): Record<string, unknown> {
    const { username, password, projectName, userDomainName, projectDomainName, regionName } =
      this.credentials;
    return {
      auth_type: 'password',
      auth: {
        auth_url: `${keystoneUrl(this.layout)}/v3`,
        username,
        password,
        project_name: projectName,
        user_domain_name: userDomainName,
        project_domain_name: projectDomainName,
      },
      region_name: regionName,
      interface: 'public',
      identity_api_version: 3,
    };
  }
}

/** Debian's postgresql package creates this system user; Node has no lookup by name. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
