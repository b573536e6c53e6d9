// Reading the deployment files of infra/deploy/ for the tests that hold them to Lazarus's code: the
// Kubernetes resources of a manifest, and which Secret file a path inside a container resolves to.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, type LazarusConfig } from '../../config/load-config.ts';
import { REPO_ROOT } from './repository.ts';

export const DEPLOY_DIR = join(REPO_ROOT, 'infra', 'deploy');
export const KUBERNETES_DIR = join(DEPLOY_DIR, 'kubernetes');
export const HELM_VALUES = join(DEPLOY_DIR, 'helm', 'temporal-values.yaml');
export const LAZARUS_SECRETS = join(KUBERNETES_DIR, 'secrets', 'lazarus-secrets.template.yaml');
export const TEMPORAL_SECRETS = join(DEPLOY_DIR, 'helm', 'temporal-secrets.template.yaml');
/** What every manifest the operator applies, `kubectl apply -f infra/deploy/kubernetes/`, holds. */
export const MANIFESTS = ['namespace.yaml', 'config.yaml', 'worker.yaml', 'receiver.yaml'].map(
  (name) => join(KUBERNETES_DIR, name),
);

/** The few fields of Kubernetes objects these tests read; the schema test checks the rest. */
export interface Resource {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: Record<string, unknown>;
}
export interface EnvVar {
  name: string;
  value?: string;
}
export interface VolumeMount {
  name: string;
  mountPath: string;
}
export interface Volume {
  name: string;
  secret?: { secretName: string };
  configMap?: { name: string };
}
export interface HttpProbe {
  httpGet: { path: string; port: string | number };
}
export interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  volumeMounts?: VolumeMount[];
  startupProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  readinessProbe?: HttpProbe;
}
export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  terminationGracePeriodSeconds?: number;
}

export async function readResources(...files: string[]): Promise<Resource[]> {
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  return texts.flatMap((text) =>
    parseAllDocuments(text).map((document) => document.toJS() as Resource),
  );
}

export async function readYaml(file: string): Promise<unknown> {
  return parse(await readFile(file, 'utf8')) as unknown;
}

export function resourceNamed(
  resources: readonly Resource[],
  kind: string,
  name: string,
): Resource {
  const found = resources.find((item) => item.kind === kind && item.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} among the resources`);
  return found;
}

/** The pod template's spec of a Deployment. */
export function podSpecOf(deployment: Resource): PodSpec {
  const template = deployment.spec?.template as { spec: PodSpec } | undefined;
  if (template === undefined) throw new Error(`${deployment.metadata.name} has no pod template`);
  return template.spec;
}

/** The keys of a Secret, whether its data or its stringData holds them. */
export function secretKeys(secret: Resource): string[] {
  return Object.keys({ ...secret.data, ...secret.stringData });
}

/**
 * The Secret and key whose file `path` is inside a container with `mounts` over `volumes`, or a
 * sentence saying why it is none: each secret file a process reads must be one the pod mounts.
 */
export function secretFileOf(
  path: string,
  mounts: readonly VolumeMount[],
  volumes: readonly Volume[],
): { secretName: string; key: string } | string {
  const mount = mounts.find((candidate) => path.startsWith(`${candidate.mountPath}/`));
  if (mount === undefined) return `${path} is under no volume mount`;
  const secretName = volumes.find((volume) => volume.name === mount.name)?.secret?.secretName;
  if (secretName === undefined) return `${path} is on volume ${mount.name}, which is no Secret`;
  return { secretName, key: relative(mount.mountPath, path) };
}

/** `secretFileOf` checked against the Secrets defined: each path a key of a defined Secret. */
export function missingSecretFiles(
  paths: readonly string[],
  mounts: readonly VolumeMount[],
  volumes: readonly Volume[],
  secrets: readonly Resource[],
): string[] {
  return paths.flatMap((path) => {
    const file = secretFileOf(path, mounts, volumes);
    if (typeof file === 'string') return [file];
    const secret = secrets.find(
      (item) => item.kind === 'Secret' && item.metadata.name === file.secretName,
    );
    if (secret === undefined) return [`${path}: Secret ${file.secretName} is not defined`];
    return secretKeys(secret).includes(file.key)
      ? []
      : [`${path}: Secret ${file.secretName} has no key ${file.key}`];
  });
}

/** Every string in `value` (a parsed YAML document) that starts with `prefix`. */
export function stringsStartingWith(value: unknown, prefix: string): string[] {
  if (typeof value === 'string') return value.startsWith(prefix) ? [value] : [];
  if (value !== null && typeof value === 'object')
    return Object.values(value).flatMap((child) => stringsStartingWith(child, prefix));
  return [];
}

/** Loads lazarus.yaml text the way the processes do, with no environment overrides. */
export async function loadConfigText(text: string): Promise<LazarusConfig> {
  const directory = await mkdtemp(join(tmpdir(), 'lazarus-deploy-'));
  try {
    const file = join(directory, 'lazarus.yaml');
    await writeFile(file, text);
    return await loadConfig({ env: {}, path: file });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
