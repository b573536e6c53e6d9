// Every Kubernetes object of infra/deploy/ against Kubernetes' own schema, strictly (an unknown
// field is an error), with kubernetes-validate: the manifests, the Secret templates, and the pieces
// of Kubernetes the Helm values hand to Temporal's chart.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  KUBERNETES_FRAGMENTS,
  valueAt,
} from '../../../../infra/deploy/helm/temporal-chart-keys.ts';
import {
  ensureKubernetesValidate,
  validateKubernetesManifests,
} from '../../../../infra/deploy/validation/kubernetes-validate.ts';
import {
  HELM_VALUES,
  KUBERNETES_DIR,
  LAZARUS_SECRETS,
  MANIFESTS,
  readResources,
  readYaml,
  TEMPORAL_SECRETS,
} from '../../../support/deployment-files.ts';

/**
 * The oldest Kubernetes the manifests are for (PodDisruptionBudget's unhealthyPodEvictionPolicy is
 * GA from 1.31), and the newest whose schema the pinned kubernetes-validate carries.
 */
const KUBERNETES_VERSIONS = ['1.31.0', '1.37.0'];

describe("the deployment's Kubernetes objects", () => {
  let python: string;
  let directory: string;
  beforeAll(async () => {
    // Provisioned by `npm test` (infra/setup/prepare.js); a direct vitest run installs it here once.
    python = await ensureKubernetesValidate();
    directory = await mkdtemp(join(tmpdir(), 'lazarus-k8s-schemas-'));
  }, 600_000);
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  /** What the tool prints for each object of `files` when all pass, in the order it checks them. */
  async function everyObjectOf(files: readonly string[]): Promise<string[]> {
    const perFile = await Promise.all(
      files.map(async (file) =>
        (await readResources(file)).map(
          ({ kind, metadata }) => `${file} ${kind.toLowerCase()}/${metadata.name}`,
        ),
      ),
    );
    return perFile.flat();
  }

  it.each(KUBERNETES_VERSIONS)(
    'validates every manifest and Secret template against Kubernetes %s',
    async (version) => {
      const files = [...MANIFESTS, LAZARUS_SECRETS, TEMPORAL_SECRETS];
      const verdicts = await validateKubernetesManifests(python, files, version);
      expect(verdicts.problems).toEqual([]);
      expect(verdicts.passed).toEqual(await everyObjectOf(files));
    },
  );

  it("validates the Helm values' volumes, mounts, environment and disruption budgets as Kubernetes objects", async () => {
    const values = await readYaml(HELM_VALUES);
    // Each fragment as the chart's templates place it: in a pod's spec and container, or as a
    // disruption budget's spec beside the selector the template adds.
    const pods = ['server', 'admintools', 'web'].map((component) => {
      const fragment = (paths: readonly string[]) =>
        valueAt(values, paths.find((path) => path.startsWith(`${component}.`)) ?? '') ?? [];
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: component },
        spec: {
          containers: [
            {
              name: component,
              image: component,
              env: fragment(KUBERNETES_FRAGMENTS.env),
              volumeMounts: fragment(KUBERNETES_FRAGMENTS.volumeMounts),
            },
          ],
          volumes: fragment(KUBERNETES_FRAGMENTS.volumes),
        },
      };
    });
    const budgets = KUBERNETES_FRAGMENTS.podDisruptionBudgetSpecs.map((path) => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: path.replaceAll('.', '-').toLowerCase() },
      spec: {
        ...(valueAt(values, path) as object),
        selector: { matchLabels: { app: 'temporal' } },
      },
    }));
    const file = join(directory, 'helm-fragments.yaml');
    await writeFile(file, [...pods, ...budgets].map((object) => stringify(object)).join('---\n'));
    for (const version of KUBERNETES_VERSIONS) {
      const verdicts = await validateKubernetesManifests(python, [file], version);
      expect(verdicts.problems).toEqual([]);
      expect(verdicts.passed).toHaveLength(pods.length + budgets.length);
    }
  });

  it('refuses a misspelled field and an unknown kind (the validation above can fail)', async () => {
    const worker = await readFile(join(KUBERNETES_DIR, 'worker.yaml'), 'utf8');
    const file = join(directory, 'broken.yaml');
    await writeFile(
      file,
      `${worker.replace('timeoutSeconds: 3', 'timeoutSecond: 3')}\n---\napiVersion: v1\nkind: Pods\nmetadata:\n  name: x\n`,
    );
    const verdicts = await validateKubernetesManifests(python, [file], '1.31.0');
    expect(verdicts.passed).toEqual([`${file} poddisruptionbudget/lazarus-worker`]);
    expect(verdicts.problems).toEqual([
      expect.stringMatching(/deployment\/lazarus-worker .*'timeoutSecond' was unexpected/),
      expect.stringMatching(/Couldn't find schema for kind Pods/),
    ] as unknown[]);
  });
});
