// The Kubernetes manifests of infra/deploy/kubernetes/ against Lazarus's own code: the worker's
// shutdown grace, its health endpoint, the files its configuration names. Kubernetes' schema is
// test/integration/infra/deploy/kubernetes-schemas.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseListenAddress } from '../../../../apps/http/listen.ts';
import { shutdownGraceMsOf } from '../../../../apps/worker/create-worker.ts';
import { HEALTH_PATHS } from '../../../../apps/worker/health-server.ts';
import {
  LAZARUS_SECRETS,
  loadConfigText,
  MANIFESTS,
  missingSecretFiles,
  podSpecOf,
  readResources,
  resourceNamed,
  TEMPORAL_SECRETS,
  type Container,
  type PodSpec,
  type Resource,
} from '../../../support/deployment-files.ts';
import { parse } from 'yaml';

/** What follows `flag` in a container's arguments. */
function argumentOf(container: Container, flag: string): string | undefined {
  const args = container.args ?? [];
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

/**
 * Every file a container's process reads for a secret: the TLS ones, the payload keys, the tokens,
 * and the BMC passwords where it fences (the worker, or the receiver running the detector).
 */
function secretPathsOf(container: Container, lazarusYaml: string, isWorker: boolean): string[] {
  const config = parse(lazarusYaml) as {
    temporal?: { payloadEncryption?: { keys: { file: string }[] } };
    bmcs?: { passwordFile?: string }[];
    detector?: { enabled?: boolean };
  };
  const readsBmcs = isWorker || config.detector?.enabled === true;
  const fromEnv = (container.env ?? [])
    .filter(({ name }) => /^TEMPORAL_TLS_.*_PATH$|^OS_CLIENT_CONFIG_FILE$/.test(name))
    .flatMap(({ value }) => (value === undefined ? [] : [value]));
  return [
    ...fromEnv,
    ...(config.temporal?.payloadEncryption?.keys.map(({ file }) => file) ?? []),
    ...(readsBmcs ? (config.bmcs ?? []) : []).flatMap(({ passwordFile }) => passwordFile ?? []),
    ...[argumentOf(container, '--token-file')].flatMap((file) => file ?? []),
  ];
}

describe('the Kubernetes manifests', () => {
  let resources: Resource[];
  let secrets: Resource[];
  let lazarusYaml: string;
  let worker: PodSpec;
  let receiver: PodSpec;
  beforeAll(async () => {
    resources = await readResources(...MANIFESTS);
    secrets = await readResources(LAZARUS_SECRETS);
    lazarusYaml =
      resourceNamed(resources, 'ConfigMap', 'lazarus-config').data?.['lazarus.yaml'] ?? '';
    worker = podSpecOf(resourceNamed(resources, 'Deployment', 'lazarus-worker'));
    receiver = podSpecOf(resourceNamed(resources, 'Deployment', 'lazarus-receiver'));
  });
  const containerOf = (pod: PodSpec): Container => {
    const [container] = pod.containers;
    if (container === undefined) throw new Error('a pod without a container');
    return container;
  };

  it('runs two or more workers, one per node, and a disruption budget keeps one of them', () => {
    const deployment = resourceNamed(resources, 'Deployment', 'lazarus-worker');
    expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
    const labels = (deployment.spec?.selector as { matchLabels: object }).matchLabels;
    expect(worker).toMatchObject({
      topologySpreadConstraints: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } },
      ],
    });
    expect(resourceNamed(resources, 'PodDisruptionBudget', 'lazarus-worker').spec).toMatchObject({
      minAvailable: 1,
      selector: { matchLabels: labels },
    });
  });

  it("waits longer for a stopping worker than the worker's shutdown grace under this configuration", async () => {
    const config = await loadConfigText(lazarusYaml);
    const graceMs = shutdownGraceMsOf(config.fencing);
    expect(graceMs).toBe(40_000);
    // Past the grace the worker still closes its connections; 10 s covers that.
    expect((worker.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThanOrEqual(
      graceMs + 10_000,
    );
  });

  it("probes the worker's own health endpoint: alive on /healthz, ready on /readyz", () => {
    const container = containerOf(worker);
    const health = parseListenAddress(argumentOf(container, '--health') ?? '');
    const port = container.ports?.find(({ containerPort }) => containerPort === health?.port);
    expect(port?.name).toBeDefined();
    const probe = (path: string) => ({ httpGet: { path, port: port?.name } });
    expect(container).toMatchObject({
      startupProbe: probe(HEALTH_PATHS.live),
      livenessProbe: probe(HEALTH_PATHS.live),
      readinessProbe: probe(HEALTH_PATHS.ready),
    });
  });

  it("probes the receiver's /healthz on the port it listens on, behind a Service", () => {
    const container = containerOf(receiver);
    const listen = parseListenAddress(argumentOf(container, '--listen') ?? '');
    const port = container.ports?.find(({ containerPort }) => containerPort === listen?.port);
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: port?.name });
    expect(resourceNamed(resources, 'Service', 'lazarus-receiver').spec).toMatchObject({
      ports: [{ port: listen?.port, targetPort: port?.name }],
    });
  });

  it('mounts, from a Secret that has it, every secret file the configuration and environment name', () => {
    for (const pod of [worker, receiver]) {
      const container = containerOf(pod);
      const paths = secretPathsOf(container, lazarusYaml, pod === worker);
      expect(paths.length).toBeGreaterThan(3);
      expect(
        missingSecretFiles(paths, container.volumeMounts ?? [], pod.volumes ?? [], secrets),
      ).toEqual([]);
    }
  });

  it('sees a secret path outside every mount as missing (the check above can fail)', () => {
    const container = containerOf(worker);
    expect(
      missingSecretFiles(
        ['/etc/lazarus/bmc/redfish-pasword', '/etc/lazarus/elsewhere/key'],
        container.volumeMounts ?? [],
        worker.volumes ?? [],
        secrets,
      ),
    ).toEqual([
      '/etc/lazarus/bmc/redfish-pasword: Secret lazarus-bmc-passwords has no key redfish-pasword',
      '/etc/lazarus/elsewhere/key is under no volume mount',
    ]);
  });

  it('loads the configuration it ships, the way the worker and the receiver will', async () => {
    const config = await loadConfigText(lazarusYaml);
    expect(config.temporal.payloadEncryption?.activeKey).toBe('2026-10');
  });

  it('holds placeholders only in the Secret templates, each marked REPLACE-ME', async () => {
    for (const secret of [...secrets, ...(await readResources(TEMPORAL_SECRETS))]) {
      expect(Object.keys(secret.data ?? {})).toEqual([]);
      for (const value of Object.values(secret.stringData ?? {}))
        expect(value).toMatch(/^REPLACE-ME: /);
    }
    expect(resources.filter(({ kind }) => kind === 'Secret')).toEqual([]);
  });
});
