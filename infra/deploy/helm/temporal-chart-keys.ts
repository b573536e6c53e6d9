// The keys of Temporal's Helm chart that temporal-values.yaml may set, written down in this
// project's words for one chart version, so a typo or a key the chart does not have fails a test
// (test/unit/infra/deploy/helm-values.test.ts) instead of being ignored by `helm install`, as Helm
// ignores every key no template reads. The chart itself is not vendored: the list was read off its
// values.yaml and templates at the tag temporal-0.73.2 of temporalio/helm-charts, and the server
// keys off Temporal Server 1.29.1's configuration (common/config, common/auth). Moving to another
// chart version means reading them again and updating this file.

export const TEMPORAL_CHART_VERSION = '0.73.2';
/** The chart's appVersion: the Temporal Server it deploys. */
export const TEMPORAL_CHART_SERVER_VERSION = '1.29.1';

/** `a.{b,c}.d` as `a.b.d` and `a.c.d`; one brace group at a time, groups may repeat. */
function expand(pattern: string): string[] {
  const match = /\{([^}]*)\}/.exec(pattern);
  if (match === null) return [pattern];
  const [group, choices = ''] = match;
  return choices.split(',').flatMap((choice) => expand(pattern.replace(group, choice)));
}

const STORES = '{default,visibility}';
const SERVICES = '{frontend,history,matching,worker}';

/** Keys the chart's values.yaml declares, with a default. `[]` stands for any item of a list. */
const IN_VALUES_YAML = [
  'server.image.tag',
  'server.config.numHistoryShards',
  'server.config.persistence.defaultStore',
  `server.config.persistence.${STORES}.driver`,
  `server.config.persistence.${STORES}.sql.{driver,host,port,database,user,existingSecret,secretName,maxConns,maxIdleConns,maxConnLifetime}`,
  'server.config.namespaces.create',
  'server.config.namespaces.namespace[].{name,retention}',
  'schema.{createDatabase,setup,update}.enabled',
  '{cassandra,mysql,elasticsearch,prometheus,grafana}.enabled',
];

/**
 * Keys values.yaml leaves out but the templates read: server-deployment.yaml takes a service's own
 * replicaCount before server.replicaCount, and server-pdb.yaml makes a service's disruption budget
 * only when that replicaCount is above 1.
 */
const READ_BY_TEMPLATES = [`server.${SERVICES}.replicaCount`];

/**
 * Keys under a value the chart copies verbatim into Temporal Server's configuration file:
 * server.config.tls becomes global.tls (values.yaml documents it in a comment), and each store's
 * sql.tls the store's tls (values/values.postgresql.yaml documents it). These are the server's own
 * field names at 1.29.1.
 */
const SERVER_TLS = [
  'server.config.tls.{internode,frontend}.server.{certFile,keyFile,certData,keyData,requireClientAuth}',
  'server.config.tls.{internode,frontend}.server.{clientCaFiles,clientCaData}[]',
  'server.config.tls.{internode,frontend,systemWorker}.client.{serverName,disableHostVerification,forceTLS}',
  'server.config.tls.{internode,frontend,systemWorker}.client.{rootCaFiles,rootCaData}[]',
  'server.config.tls.systemWorker.{certFile,keyFile,certData,keyData}',
  `server.config.persistence.${STORES}.sql.tls.{enabled,certFile,keyFile,caFile,certData,keyData,caData,enableHostVerification,serverName}`,
];

/**
 * Values whose content is Kubernetes' own, pasted by the templates into the objects they render:
 * lists of Volumes, VolumeMounts and EnvVars, and a PodDisruptionBudget's spec. Their inside is
 * checked against Kubernetes' schema instead (test/integration/infra/deploy/kubernetes-schemas.test.ts).
 */
export const KUBERNETES_FRAGMENTS = {
  volumes: ['server.additionalVolumes', 'admintools.additionalVolumes', 'web.additionalVolumes'],
  volumeMounts: [
    'server.additionalVolumeMounts',
    'admintools.additionalVolumeMounts',
    'web.additionalVolumeMounts',
  ],
  env: ['admintools.additionalEnv', 'web.additionalEnv'],
  podDisruptionBudgetSpecs: expand(`server.${SERVICES}.podDisruptionBudget`),
} as const;

const KNOWN_KEYS: ReadonlySet<string> = new Set(
  [...IN_VALUES_YAML, ...READ_BY_TEMPLATES, ...SERVER_TLS].flatMap(expand),
);
const FRAGMENTS: ReadonlySet<string> = new Set(Object.values(KUBERNETES_FRAGMENTS).flat());

/**
 * Every key path `values` sets that the chart does not have, as `a.b[].c`. A Kubernetes fragment
 * counts as one key; anything else is followed down to its scalars.
 */
export function unknownChartKeys(values: unknown): string[] {
  const unknown: string[] = [];
  const visit = (value: unknown, path: string): void => {
    if (FRAGMENTS.has(path)) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, `${path}[]`);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value))
        visit(child, path === '' ? key : `${path}.${key}`);
    } else if (!KNOWN_KEYS.has(path) && !unknown.includes(path)) {
      unknown.push(path);
    }
  };
  visit(values, '');
  return unknown;
}

/** The value at a dotted path of `values` (no list indices), or undefined. */
export function valueAt(values: unknown, path: string): unknown {
  let value = values;
  for (const key of path.split('.'))
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined;
  return value;
}
