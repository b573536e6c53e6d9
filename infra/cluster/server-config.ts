// The one configuration file the cluster's four Temporal services share
// (docs/operations.md#a-production-shaped-cluster-on-one-machine): PostgreSQL for persistence and
// visibility, every service on loopback on its own ports, and mTLS both on the frontend (client
// certificates required) and between the services.
import { stringify } from 'yaml';

export const SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServicePorts {
  grpc: number;
  membership: number;
}

export interface ClusterTls {
  ca: string;
  /** Presented by every service, to clients and to each other (serverAuth and clientAuth). */
  node: { cert: string; key: string };
  /** The system worker's client certificate, for its calls to the frontend. */
  systemWorker: { cert: string; key: string };
  /** The name the services' certificates carry and their clients verify. */
  serverName: string;
}

export interface ServerConfigInput {
  ports: Record<ServiceName, ServicePorts> & { frontendHttp: number };
  database: { port: number; user: string; password: string };
  tls: ClusterTls;
  dynamicConfigFile: string;
}

/** The two databases, each with the schema directory that migrates it. */
export const DATABASES = {
  default: { name: 'temporal', schema: 'temporal' },
  visibility: { name: 'temporal_visibility', schema: 'visibility' },
} as const;

function datastore(database: ServerConfigInput['database'], name: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName: name,
      connectAddr: `127.0.0.1:${database.port}`,
      connectProtocol: 'tcp',
      user: database.user,
      password: database.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

export function renderServerConfig(input: ServerConfigInput): string {
  const { ports, tls } = input;
  const serverTls = {
    certFile: tls.node.cert,
    keyFile: tls.node.key,
    requireClientAuth: true,
    clientCaFiles: [tls.ca],
  };
  const clientTls = { serverName: tls.serverName, rootCaFiles: [tls.ca] };
  const services = Object.fromEntries(
    SERVICES.map((name) => [
      name,
      {
        rpc: {
          grpcPort: ports[name].grpc,
          membershipPort: ports[name].membership,
          bindOnIP: '127.0.0.1',
          ...(name === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
        },
      },
    ]),
  );
  const config = {
    log: { stdout: true, level: 'info' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // Shards are fixed for the cluster's life; 4 suits one machine (production: 512 or more).
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(input.database, DATABASES.default.name, 20),
        'postgres-visibility': datastore(input.database, DATABASES.visibility.name, 4),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        internode: { server: serverTls, client: clientTls },
        frontend: { server: serverTls, client: clientTls },
        systemWorker: {
          certFile: tls.systemWorker.cert,
          keyFile: tls.systemWorker.key,
          client: clientTls,
        },
      },
    },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend.grpc}`,
          httpAddress: `127.0.0.1:${ports.frontendHttp}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: {
      archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
  return stringify(config);
}

/**
 * What Lazarus needs beyond the defaults: Updates (readmit, approve) and the worker-deployment
 * APIs of versioned workers. Search attributes refresh on read so that those just registered are
 * usable at once, as on the dev server.
 */
export function renderDynamicConfig(): string {
  const on = [{ value: true, constraints: {} }];
  return stringify({
    'frontend.enableUpdateWorkflowExecution': on,
    'frontend.enableUpdateWorkflowExecutionAsyncAccepted': on,
    'frontend.workerVersioningWorkflowAPIs': on,
    'system.enableDeployments': on,
    'system.enableDeploymentVersions': on,
    'system.forceSearchAttributesCacheRefreshOnRead': on,
    'limit.maxIDLength': [{ value: 255, constraints: {} }],
  });
}
