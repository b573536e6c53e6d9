// The Helm values for Temporal's chart (infra/deploy/helm/temporal-values.yaml): keys the pinned
// chart has, the server Lazarus is tested against, mTLS that holds together, and agreement with the
// Lazarus manifests that connect to it.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  KUBERNETES_FRAGMENTS,
  TEMPORAL_CHART_SERVER_VERSION,
  unknownChartKeys,
  valueAt,
} from '../../../../infra/deploy/helm/temporal-chart-keys.ts';
import { TEMPORAL_SERVER_VERSION } from '../../../../infra/temporal/temporal-server.ts';
import {
  HELM_VALUES,
  MANIFESTS,
  missingSecretFiles,
  podSpecOf,
  readResources,
  readYaml,
  resourceNamed,
  stringsStartingWith,
  TEMPORAL_SECRETS,
  type EnvVar,
  type Resource,
  type Volume,
  type VolumeMount,
} from '../../../support/deployment-files.ts';

describe('the Helm values for Temporal', () => {
  let values: unknown;
  let secrets: Resource[];
  beforeAll(async () => {
    values = await readYaml(HELM_VALUES);
    secrets = await readResources(TEMPORAL_SECRETS);
  });
  const at = (path: string): unknown => valueAt(values, path);

  it('sets only keys the pinned chart has', () => {
    expect(unknownChartKeys(values)).toEqual([]);
  });

  it('names a misspelled or invented key (the check above can fail)', () => {
    expect(
      unknownChartKeys({
        server: {
          config: { persistance: { default: { driver: 'sql' } }, tls: { frontend: { sever: 1 } } },
          frontend: { replicas: 2, podDisruptionBudget: { anything: 'is Kubernetes’' } },
        },
      }),
    ).toEqual([
      'server.config.persistance.default.driver',
      'server.config.tls.frontend.sever',
      'server.frontend.replicas',
    ]);
  });

  it('runs the Temporal Server Lazarus is tested against, the one the pinned chart deploys', () => {
    expect(at('server.image.tag')).toBe(TEMPORAL_SERVER_VERSION);
    expect(TEMPORAL_CHART_SERVER_VERSION).toBe(TEMPORAL_SERVER_VERSION);
  });

  it('keeps both stores in the external PostgreSQL, over TLS, with the password in a Secret', () => {
    for (const store of ['default', 'visibility']) {
      expect(at(`server.config.persistence.${store}`)).toMatchObject({
        driver: 'sql',
        sql: {
          driver: 'postgres12',
          existingSecret: 'temporal-postgres',
          tls: { enabled: true, enableHostVerification: true },
        },
      });
      expect(at(`server.config.persistence.${store}.sql.password`)).toBeUndefined();
    }
    expect(at('cassandra.enabled')).toBe(false);
    expect(at('elasticsearch.enabled')).toBe(false);
    expect(
      resourceNamed(secrets, 'Secret', 'temporal-postgres').stringData?.password,
    ).toBeDefined();
  });

  it('requires client certificates on the frontend and between the services', () => {
    for (const group of ['internode', 'frontend'])
      expect(at(`server.config.tls.${group}.server.requireClientAuth`)).toBe(true);
    // The system worker is a client of the frontend too; without a certificate it is refused.
    expect(at('server.config.tls.systemWorker.certFile')).toBeDefined();
  });

  it('mounts every certificate and key the server, the admin tools and the Web UI read', () => {
    const pathsOf = (value: unknown): string[] => stringsStartingWith(value, '/etc/temporal/');
    const envPaths = (path: string) => pathsOf((at(path) as EnvVar[]).map(({ value }) => value));
    const readers = [
      { paths: pathsOf(at('server.config')), pod: 'server' },
      // The schema jobs run in the admin tools' image with its mounts and read PostgreSQL's CA.
      {
        paths: [
          ...envPaths('admintools.additionalEnv'),
          ...pathsOf(at('server.config.persistence')),
        ],
        pod: 'admintools',
      },
      { paths: envPaths('web.additionalEnv'), pod: 'web' },
    ];
    for (const { paths, pod } of readers) {
      expect(paths.length).toBeGreaterThan(0);
      expect(
        missingSecretFiles(
          paths,
          at(`${pod}.additionalVolumeMounts`) as VolumeMount[],
          at(`${pod}.additionalVolumes`) as Volume[],
          secrets,
        ),
      ).toEqual([]);
    }
  });

  it('serves the namespace and the certificate name the Lazarus manifests use', async () => {
    const manifests = await readResources(...MANIFESTS);
    const env = Object.fromEntries(
      (
        podSpecOf(resourceNamed(manifests, 'Deployment', 'lazarus-worker')).containers[0]?.env ?? []
      ).map(({ name, value }) => [name, value]),
    );
    expect(at('server.config.namespaces')).toMatchObject({
      create: true,
      namespace: [{ name: env.TEMPORAL_NAMESPACE }],
    });
    expect(at('server.config.tls.frontend.client.serverName')).toBe(env.TEMPORAL_TLS_SERVER_NAME);
    // The chart names the frontend's Service <release>-frontend; the release is "temporal".
    expect(env.TEMPORAL_ADDRESS).toMatch(/^temporal-frontend\.temporal\.svc:7233$/);
  });

  it('gives each Temporal service a disruption budget, which the chart makes only past one replica', () => {
    for (const service of ['frontend', 'history', 'matching', 'worker']) {
      expect(at(`server.${service}.replicaCount`)).toBeGreaterThan(1);
      expect(KUBERNETES_FRAGMENTS.podDisruptionBudgetSpecs).toContain(
        `server.${service}.podDisruptionBudget`,
      );
      expect(at(`server.${service}.podDisruptionBudget`)).toEqual({ minAvailable: 1 });
    }
  });
});
