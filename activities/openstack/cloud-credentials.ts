// OpenStack credentials the way every OpenStack tool takes them: a cloud from clouds.yaml (named
// explicitly or by OS_CLOUD), or the OS_* variables of an openrc file. Both are read into
// clouds.yaml's own shape and checked by one schema; problems are reported in the vocabulary of
// wherever they came from (`clouds.prod.auth.password` or `OS_PASSWORD`).
import { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { CloudsYamlSearch } from './clouds-yaml.ts';
import { findCloudEntry } from './clouds-yaml.ts';
import { Secret } from './secret.ts';

/** Keystone's own reference shapes: by id, or by name within a domain (docs/nova-and-bmc-facts.md#tokens). */
export type DomainRef = { id: string } | { name: string };
export type ScopedRef = { id: string } | { name: string; domain: DomainRef };

export type KeystoneAuth =
  | { method: 'password'; user: ScopedRef; password: Secret; project: ScopedRef }
  | {
      method: 'application_credential';
      credential: { id: string } | { name: string; user: ScopedRef };
      secret: Secret;
    };

export type EndpointInterface = 'public' | 'internal' | 'admin';

export interface CloudCredentials {
  /** Where they came from, for messages: "cloud 'prod' in /etc/openstack/clouds.yaml" or "the OS_* environment variables". */
  source: string;
  /** Keystone v3's base URL (…/v3). */
  authUrl: string;
  auth: KeystoneAuth;
  regionName?: string;
  interface: EndpointInterface;
  /** Path of a PEM CA bundle for Keystone's and Nova's certificates. */
  caCertificateFile?: string;
  isInsecure: boolean;
}

/** clouds.yaml keys and the OS_* variables that set them. */
const authVariables = {
  auth_url: 'OS_AUTH_URL',
  username: 'OS_USERNAME',
  user_id: 'OS_USER_ID',
  password: 'OS_PASSWORD',
  project_name: 'OS_PROJECT_NAME',
  project_id: 'OS_PROJECT_ID',
  user_domain_name: 'OS_USER_DOMAIN_NAME',
  user_domain_id: 'OS_USER_DOMAIN_ID',
  project_domain_name: 'OS_PROJECT_DOMAIN_NAME',
  project_domain_id: 'OS_PROJECT_DOMAIN_ID',
  application_credential_id: 'OS_APPLICATION_CREDENTIAL_ID',
  application_credential_name: 'OS_APPLICATION_CREDENTIAL_NAME',
  application_credential_secret: 'OS_APPLICATION_CREDENTIAL_SECRET',
} as const;
const cloudVariables = {
  auth_type: 'OS_AUTH_TYPE',
  region_name: 'OS_REGION_NAME',
  interface: 'OS_INTERFACE',
  cacert: 'OS_CACERT',
  insecure: 'OS_INSECURE',
} as const;
type FieldKey = keyof typeof authVariables | keyof typeof cloudVariables | 'verify';

const text = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'is empty; remove it or give it a value' });
const flag = z
  .union([z.boolean(), z.enum(['true', 'false', 'True', 'False', '1', '0', 'yes', 'no'])], {
    error: 'must be true or false',
  })
  .transform(
    (value) =>
      value === true || value === 'true' || value === 'True' || value === '1' || value === 'yes',
  );

const rawCloudSchema = z.object({
  auth_type: z
    .enum(['password', 'v3password', 'v3applicationcredential', 'application_credential'], {
      error: 'is not a method Lazarus supports; use password or v3applicationcredential',
    })
    .default('password'),
  auth: z.object(
    {
      auth_url: z.url({
        protocol: /^https?$/,
        error:
          "is not an http(s) URL; set it to Keystone's address, e.g. https://keystone.example.com:5000/v3",
      }),
      ...(Object.fromEntries(
        Object.keys(authVariables)
          .filter((k) => k !== 'auth_url')
          .map((k) => [k, text.optional()]),
      ) as Record<Exclude<keyof typeof authVariables, 'auth_url'>, z.ZodOptional<typeof text>>),
    },
    { error: 'is missing; it holds auth_url and the account' },
  ),
  region_name: text.optional(),
  interface: z
    .enum(['public', 'internal', 'admin'], { error: 'must be public, internal or admin' })
    .default('public'),
  cacert: text.optional(),
  insecure: flag.optional(),
  verify: flag.optional(),
});
type RawCloud = z.output<typeof rawCloudSchema>;
type RawAuth = RawCloud['auth'];

interface Problem {
  field: FieldKey;
  /** `{field}` placeholders are replaced with the field's name in the source's vocabulary. */
  message: string;
}

function reference(
  id: string | undefined,
  name: string | undefined,
  domain: () => DomainRef | undefined,
): ScopedRef | undefined {
  if (id !== undefined) return { id };
  if (name === undefined) return undefined;
  const inDomain = domain();
  return inDomain === undefined ? undefined : { name, domain: inDomain };
}

function domainOf(id: string | undefined, name: string | undefined): DomainRef | undefined {
  if (id !== undefined) return { id };
  return name === undefined ? undefined : { name };
}

function userOf(auth: RawAuth, problems: Problem[]): ScopedRef | undefined {
  return reference(auth.user_id, auth.username, () => {
    const domain = domainOf(auth.user_domain_id, auth.user_domain_name);
    if (domain === undefined)
      problems.push({
        field: 'user_domain_name',
        message:
          "is missing: Keystone v3 needs the user's domain; set {user_domain_name} (often Default) or {user_domain_id}",
      });
    return domain;
  });
}

function passwordAuth(auth: RawAuth, problems: Problem[]): KeystoneAuth | undefined {
  if (auth.username === undefined && auth.user_id === undefined)
    problems.push({ field: 'username', message: 'is missing: set {username} or {user_id}' });
  if (auth.password === undefined)
    problems.push({
      field: 'password',
      message:
        'is missing: password authentication needs {password} (or use an application credential)',
    });
  const user = userOf(auth, problems);
  if (auth.project_name === undefined && auth.project_id === undefined) {
    // Nova's admin APIs take project-scoped tokens only (docs/nova-and-bmc-facts.md#project-scoped-admin).
    problems.push({
      field: 'project_name',
      message:
        "is missing: Nova's admin APIs need a project-scoped token; set {project_name} or {project_id}",
    });
  }
  const project = reference(auth.project_id, auth.project_name, () => {
    const domain = domainOf(auth.project_domain_id, auth.project_domain_name);
    if (domain === undefined)
      problems.push({
        field: 'project_domain_name',
        message: 'is missing: set {project_domain_name} (often Default) or {project_domain_id}',
      });
    return domain;
  });
  return user === undefined || project === undefined || auth.password === undefined
    ? undefined
    : { method: 'password', user, password: new Secret(auth.password), project };
}

function applicationCredentialAuth(auth: RawAuth, problems: Problem[]): KeystoneAuth | undefined {
  if (auth.application_credential_secret === undefined)
    problems.push({
      field: 'application_credential_secret',
      message: 'is missing: set {application_credential_secret}',
    });
  let credential: { id: string } | { name: string; user: ScopedRef } | undefined;
  if (auth.application_credential_id !== undefined) {
    credential = { id: auth.application_credential_id };
  } else if (auth.application_credential_name === undefined) {
    problems.push({
      field: 'application_credential_id',
      message:
        'is missing: set {application_credential_id} (or {application_credential_name} with the owning user)',
    });
  } else {
    const user = userOf(auth, problems);
    if (user === undefined && auth.username === undefined)
      problems.push({
        field: 'username',
        message:
          'is missing: a credential given by name needs its owner; set {user_id}, or {username} with {user_domain_name}',
      });
    credential = user === undefined ? undefined : { name: auth.application_credential_name, user };
  }
  return credential === undefined || auth.application_credential_secret === undefined
    ? undefined
    : {
        method: 'application_credential',
        credential,
        secret: new Secret(auth.application_credential_secret),
      };
}

/** Keystone's v3 base, whether auth_url names the version or not (clouds.yaml allows both). */
function keystoneV3(authUrl: string): string {
  const trimmed = authUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/v3') ? trimmed : `${trimmed}/v3`;
}

interface Source {
  description: string;
  nameOf: (field: string) => string;
}

function invalidCredentials(
  source: Source,
  problems: readonly { field: string; message: string }[],
): LazarusError {
  const lines = problems.map(
    (p) =>
      `  - ${source.nameOf(p.field)} ${p.message.replace(/\{(\w+)\}/g, (_, key: string) => source.nameOf(key))}`,
  );
  return new LazarusError(
    'ConfigurationInvalid',
    `OpenStack credentials from ${source.description} cannot be used:\n${lines.join('\n')}`,
    {
      source: source.description,
      fields: problems.map((p) => source.nameOf(p.field)),
    },
  );
}

function credentialsFrom(raw: unknown, source: Source): CloudCredentials {
  const parsed = rawCloudSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalidCredentials(
      source,
      parsed.error.issues.map((issue) => ({
        field: issue.path.map(String).at(-1) ?? 'auth',
        message: issue.message,
      })),
    );
  }
  const cloud = parsed.data;
  const problems: Problem[] = [];
  const isApplicationCredential =
    cloud.auth_type === 'v3applicationcredential' || cloud.auth_type === 'application_credential';
  const auth = isApplicationCredential
    ? applicationCredentialAuth(cloud.auth, problems)
    : passwordAuth(cloud.auth, problems);
  if (auth === undefined || problems.length > 0) throw invalidCredentials(source, problems);
  return {
    source: source.description,
    authUrl: keystoneV3(cloud.auth.auth_url),
    auth,
    interface: cloud.interface,
    isInsecure: cloud.insecure === true || cloud.verify === false,
    ...(cloud.region_name === undefined ? {} : { regionName: cloud.region_name }),
    ...(cloud.cacert === undefined ? {} : { caCertificateFile: cloud.cacert }),
  };
}

const variableOf = (field: string): string =>
  (authVariables as Record<string, string>)[field] ??
  (cloudVariables as Record<string, string>)[field] ??
  field;

/** The OS_* variables in clouds.yaml's shape; unset and empty variables are left out. */
function rawFromEnvironment(env: CloudsYamlSearch['env']): Record<string, unknown> {
  const pick = (table: Readonly<Record<string, string>>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(table).flatMap(([key, variable]) => {
        const value = env[variable];
        return value === undefined || value === '' ? [] : [[key, value]];
      }),
    );
  return { ...pick(cloudVariables), auth: pick(authVariables) };
}

export interface CredentialRequest extends CloudsYamlSearch {
  /** A cloud in clouds.yaml; OS_CLOUD when absent; the OS_* variables when neither is set. */
  cloud?: string;
}

/** The credentials Lazarus uses to reach Keystone and Nova, or a ConfigurationInvalid naming each problem and its fix. */
export async function resolveCloudCredentials(
  request: CredentialRequest,
): Promise<CloudCredentials> {
  const cloudName =
    request.cloud ?? (request.env.OS_CLOUD === '' ? undefined : request.env.OS_CLOUD);
  if (cloudName !== undefined) {
    const found = await findCloudEntry(cloudName, request);
    return credentialsFrom(found.entry, {
      description: `cloud '${cloudName}' in ${found.path}`,
      nameOf: (field) => `clouds.${cloudName}.${field in authVariables ? 'auth.' : ''}${field}`,
    });
  }
  if (request.env.OS_AUTH_URL === undefined || request.env.OS_AUTH_URL === '') {
    throw new LazarusError(
      'ConfigurationInvalid',
      'no OpenStack credentials: name a cloud from clouds.yaml (OS_CLOUD or the configuration), or set OS_AUTH_URL and the other OS_* variables (source your openrc file)',
    );
  }
  return credentialsFrom(rawFromEnvironment(request.env), {
    description: 'the OS_* environment variables',
    nameOf: variableOf,
  });
}

/** Who the credentials act as, for messages; never the secret. */
export function describeAccount(auth: KeystoneAuth): string {
  const named = (ref: ScopedRef): string =>
    'id' in ref
      ? `id ${ref.id}`
      : `'${ref.name}' (domain ${'id' in ref.domain ? `id ${ref.domain.id}` : `'${ref.domain.name}'`})`;
  if (auth.method === 'password')
    return `user ${named(auth.user)} in project ${named(auth.project)}`;
  return 'id' in auth.credential
    ? `application credential id ${auth.credential.id}`
    : `application credential '${auth.credential.name}' of user ${named(auth.credential.user)}`;
}
