// Our configuration for Keystone, Placement and Nova on loopback. Only options that differ from
// the defaults, each for a reason given next to it (docs/nova-and-bmc-facts.md#real-nova-tier).

export type Ini = Record<string, Record<string, string | number | boolean>>;

export function renderIni(ini: Ini): string {
  return (
    Object.entries(ini)
      .map(([section, options]) =>
        [
          `[${section}]`,
          ...Object.entries(options).map(([key, value]) => `${key} = ${String(value)}`),
        ].join('\n'),
      )
      .join('\n\n') + '\n'
  );
}

export interface Ports {
  postgres: number;
  rabbit: number;
  rabbitDist: number;
  epmd: number;
  keystone: number;
  placement: number;
  novaApi: number;
}

export interface Layout {
  ports: Ports;
  stubsUrl: string;
  /** Temp dir for keys, locks and state. */
  dir: string;
  adminPassword: string;
}

export const databaseNames = [
  'keystone',
  'placement',
  'nova_api',
  'nova_cell0',
  'nova_cell1',
] as const;

export function databaseUrl(layout: Layout, name: (typeof databaseNames)[number]): string {
  return `postgresql+psycopg2://postgres@127.0.0.1:${layout.ports.postgres}/${name}`;
}

export function keystoneUrl(layout: Layout): string {
  return `http://127.0.0.1:${layout.ports.keystone}`;
}

export function placementUrl(layout: Layout): string {
  return `http://127.0.0.1:${layout.ports.placement}`;
}

export function novaUrl(layout: Layout): string {
  return `http://127.0.0.1:${layout.ports.novaApi}/v2.1`;
}

export function keystoneConf(layout: Layout): Ini {
  return {
    DEFAULT: { use_stderr: true },
    database: { connection: databaseUrl(layout, 'keystone') },
    fernet_tokens: { key_repository: `${layout.dir}/keystone/fernet-keys` },
    credential: { key_repository: `${layout.dir}/keystone/credential-keys` },
  };
}

export function placementConf(layout: Layout): Ini {
  return {
    DEFAULT: { use_stderr: true },
    // Placement is reached only by Nova, with a static admin token; no Keystone round trips.
    api: { auth_strategy: 'noauth2' },
    placement_database: { connection: databaseUrl(layout, 'placement') },
  };
}

const transportUrl = (layout: Layout): string =>
  `rabbit://guest:guest@127.0.0.1:${layout.ports.rabbit}/`;

/** What every Nova process shares: messaging, Placement, Glance and Neutron, the fake driver. */
export function novaCommonConf(layout: Layout): Ini {
  return {
    DEFAULT: {
      transport_url: transportUrl(layout),
      use_stderr: true,
      my_ip: '127.0.0.1',
      state_path: `${layout.dir}/nova`,
      compute_driver: 'fake.FakeDriver',
      // The fake driver has no network info to heal; the periodic task would only call the stub.
      heal_instance_info_cache_interval: -1,
    },
    oslo_concurrency: { lock_path: `${layout.dir}/nova/locks` },
    placement: {
      auth_type: 'admin_token',
      token: 'admin',
      endpoint: placementUrl(layout),
      region_name: 'RegionOne',
    },
    glance: { endpoint_override: `${layout.stubsUrl}/`, num_retries: 0 },
    neutron: {
      auth_type: 'admin_token',
      token: 'admin',
      endpoint_override: layout.stubsUrl,
      region_name: 'RegionOne',
    },
    // Nova's defaults (report every 10 s, down after 60 s) are kept: Lazarus must cope with them.
  };
}

/** The API, conductor and scheduler: databases, Keystone token validation, one worker each. */
export function novaControllerConf(layout: Layout): Ini {
  return {
    database: { connection: databaseUrl(layout, 'nova_cell1') },
    api_database: { connection: databaseUrl(layout, 'nova_api') },
    // Real Keystone, not noauth2: a noauth context carries no token for Nova's Glance calls, and
    // server create then fails with 500 AuthorizationFailure
    // (docs/nova-and-bmc-facts.md#real-nova-tier).
    api: { auth_strategy: 'keystone' },
    keystone_authtoken: {
      www_authenticate_uri: keystoneUrl(layout),
      auth_url: keystoneUrl(layout),
      auth_type: 'password',
      username: 'admin',
      password: layout.adminPassword,
      project_name: 'admin',
      user_domain_name: 'Default',
      project_domain_name: 'Default',
    },
    // Two cores: the default spawns one worker per core for each service.
    conductor: { workers: 1 },
    // Map new computes without a manual discover_hosts; we still run one to be ready sooner.
    scheduler: { workers: 1, discover_hosts_in_cells_interval: 5 },
  };
}

/**
 * One compute host: its name, and no database options at all, since nova-compute reaches the
 * database through the conductor (a DB URL here makes it log "No DB access allowed" at start).
 */
export function novaComputeConf(layout: Layout, host: string): Ini {
  return {
    DEFAULT: { host, instances_path: `${layout.dir}/nova/instances-${host}` },
  };
}
