// Credentials as every OpenStack tool takes them: clouds.yaml (searched, or named by
// OS_CLIENT_CONFIG_FILE) selected by OS_CLOUD or a name, or the OS_* variables; every problem
// named in the vocabulary of where it came from, with its fix.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCloudCredentials } from '../../../../activities/openstack/index.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lazarus-credentials-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, text: string): Promise<string> {
  const path = join(dir, relative);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  return path;
}

const prodCloud = (authUrl: string): string => `clouds:
  prod:
    auth:
      auth_url: ${authUrl}
      username: lazarus
      password: s3cret-pa55
      project_name: admin
      user_domain_name: Default
      project_domain_id: default
    region_name: RegionTwo
    interface: internal
    cacert: certs/cloud-ca.pem
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com:5000/v3
      application_credential_id: 423f19a4ac1e4f48
      application_credential_secret: app-s3cret
    verify: false
`;

describe('clouds.yaml', () => {
  it('reads the cloud named by OS_CLOUD from the file named by OS_CLIENT_CONFIG_FILE', async () => {
    const path = await write(
      'explicit/clouds.yaml',
      prodCloud('https://keystone.example.com:5000'),
    );
    const credentials = await resolveCloudCredentials({
      env: { OS_CLIENT_CONFIG_FILE: path, OS_CLOUD: 'prod' },
    });
    expect(credentials).toMatchObject({
      source: `cloud 'prod' in ${path}`,
      authUrl: 'https://keystone.example.com:5000/v3',
      auth: {
        method: 'password',
        user: { name: 'lazarus', domain: { name: 'Default' } },
        project: { name: 'admin', domain: { id: 'default' } },
      },
      regionName: 'RegionTwo',
      interface: 'internal',
      caCertificateFile: 'certs/cloud-ca.pem',
      isInsecure: false,
    });
    expect(credentials.auth.method === 'password' ? credentials.auth.password.reveal() : '').toBe(
      's3cret-pa55',
    );
  });

  it('prefers an explicit cloud name to OS_CLOUD, and reads application credentials and verify: false', async () => {
    const path = await write(
      'explicit/clouds.yaml',
      prodCloud('https://keystone.example.com:5000/v3'),
    );
    const credentials = await resolveCloudCredentials({
      env: { OS_CLIENT_CONFIG_FILE: path, OS_CLOUD: 'prod' },
      cloud: 'appcred',
    });
    expect(credentials).toMatchObject({
      auth: { method: 'application_credential', credential: { id: '423f19a4ac1e4f48' } },
      interface: 'public',
      isInsecure: true,
    });
  });

  it('looks in ./clouds.yaml before ~/.config/openstack/clouds.yaml', async () => {
    const home = join(dir, 'home');
    await write(
      'home/.config/openstack/clouds.yaml',
      prodCloud('https://from-home.example.com/v3'),
    );
    const fromHome = await resolveCloudCredentials({
      env: { HOME: home, OS_CLOUD: 'prod' },
      cwd: join(dir, 'home'),
    });
    expect(fromHome.authUrl).toBe('https://from-home.example.com/v3');
    await write('work/clouds.yaml', prodCloud('https://from-cwd.example.com/v3'));
    const fromCwd = await resolveCloudCredentials({
      env: { HOME: home, OS_CLOUD: 'prod' },
      cwd: join(dir, 'work'),
    });
    expect(fromCwd.authUrl).toBe('https://from-cwd.example.com/v3');
  });

  it('names the clouds a file has when the one asked for is not there', async () => {
    const path = await write('explicit/clouds.yaml', prodCloud('https://keystone.example.com/v3'));
    await expect(
      resolveCloudCredentials({ env: { OS_CLIENT_CONFIG_FILE: path, OS_CLOUD: 'staging' } }),
    ).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: `clouds.yaml at ${path} has no cloud 'staging' (it has: prod, appcred); set OS_CLOUD or the configured cloud name to one of them`,
    });
  });

  it('says where it looked when there is no clouds.yaml', async () => {
    const missing = join(dir, 'nowhere', 'clouds.yaml');
    await expect(
      resolveCloudCredentials({ env: { OS_CLIENT_CONFIG_FILE: missing }, cloud: 'prod' }),
    ).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: `cloud 'prod' was asked for, but no clouds.yaml exists (looked at ${missing}); create one or point OS_CLIENT_CONFIG_FILE at it`,
    });
  });

  it('reports invalid YAML by position only, never quoting the line that may hold a password', async () => {
    const path = await write(
      'broken/clouds.yaml',
      'clouds:\n  prod:\n    auth: {password: "s3cret-pa55\n',
    );
    const error = await resolveCloudCredentials({
      env: { OS_CLIENT_CONFIG_FILE: path, OS_CLOUD: 'prod' },
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      type: 'ConfigurationInvalid',
      message: expect.stringMatching(
        new RegExp(
          `^clouds.yaml at ${path} is not valid YAML at line \\d+, column \\d+; fix the file$`,
        ),
      ) as unknown,
    });
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });

  it('lists every problem of a cloud entry with the clouds.yaml key to fix', async () => {
    const path = await write(
      'incomplete/clouds.yaml',
      `clouds:
  prod:
    auth:
      auth_url: keystone.example.com
      username: lazarus
    interface: private
`,
    );
    await expect(
      resolveCloudCredentials({ env: { OS_CLIENT_CONFIG_FILE: path, OS_CLOUD: 'prod' } }),
    ).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: `OpenStack credentials from cloud 'prod' in ${path} cannot be used:
  - clouds.prod.auth.auth_url is not an http(s) URL; set it to Keystone's address, e.g. https://keystone.example.com:5000/v3
  - clouds.prod.interface must be public, internal or admin`,
    });
  });
});

describe('OS_* variables', () => {
  const openrc = {
    OS_AUTH_URL: 'https://keystone.example.com:5000/v3/',
    OS_USERNAME: 'lazarus',
    OS_PASSWORD: 's3cret-pa55',
    OS_PROJECT_ID: '231c62fb0fbd485b',
    OS_USER_DOMAIN_ID: 'default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'admin',
    OS_CACERT: 'certs/ca.pem',
    OS_INSECURE: 'false',
  };

  it('reads an openrc-style environment when no cloud is named', async () => {
    expect(await resolveCloudCredentials({ env: openrc })).toMatchObject({
      source: 'the OS_* environment variables',
      authUrl: 'https://keystone.example.com:5000/v3',
      auth: {
        method: 'password',
        user: { name: 'lazarus', domain: { id: 'default' } },
        project: { id: '231c62fb0fbd485b' },
      },
      regionName: 'RegionOne',
      interface: 'admin',
      caCertificateFile: 'certs/ca.pem',
      isInsecure: false,
    });
  });

  it('takes OS_INSECURE=true as the explicit switch to skip TLS verification', async () => {
    expect(
      await resolveCloudCredentials({ env: { ...openrc, OS_INSECURE: 'true' } }),
    ).toMatchObject({ isInsecure: true });
  });

  it('lists every missing variable of password authentication, each with its fix', async () => {
    await expect(
      resolveCloudCredentials({
        env: {
          OS_AUTH_URL: 'https://keystone.example.com/v3',
          OS_USERNAME: 'lazarus',
          OS_PROJECT_NAME: 'admin',
        },
      }),
    ).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: `OpenStack credentials from the OS_* environment variables cannot be used:
  - OS_PASSWORD is missing: password authentication needs OS_PASSWORD (or use an application credential)
  - OS_USER_DOMAIN_NAME is missing: Keystone v3 needs the user's domain; set OS_USER_DOMAIN_NAME (often Default) or OS_USER_DOMAIN_ID
  - OS_PROJECT_DOMAIN_NAME is missing: set OS_PROJECT_DOMAIN_NAME (often Default) or OS_PROJECT_DOMAIN_ID`,
      details: { fields: ['OS_PASSWORD', 'OS_USER_DOMAIN_NAME', 'OS_PROJECT_DOMAIN_NAME'] },
    });
  });

  it('asks for a project, because Nova needs a project-scoped token', async () => {
    await expect(
      resolveCloudCredentials({ env: { ...openrc, OS_PROJECT_ID: undefined } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        "OS_PROJECT_NAME is missing: Nova's admin APIs need a project-scoped token; set OS_PROJECT_NAME or OS_PROJECT_ID",
      ) as unknown,
    });
  });

  it('checks application credentials: a secret, and an id or a name with its owner', async () => {
    await expect(
      resolveCloudCredentials({
        env: {
          OS_AUTH_URL: 'https://k.example.com',
          OS_AUTH_TYPE: 'v3applicationcredential',
          OS_APPLICATION_CREDENTIAL_NAME: 'lazarus',
        },
      }),
    ).rejects.toMatchObject({
      message: `OpenStack credentials from the OS_* environment variables cannot be used:
  - OS_APPLICATION_CREDENTIAL_SECRET is missing: set OS_APPLICATION_CREDENTIAL_SECRET
  - OS_USERNAME is missing: a credential given by name needs its owner; set OS_USER_ID, or OS_USERNAME with OS_USER_DOMAIN_NAME`,
    });
  });

  it('rejects an authentication method it does not support, naming the ones it does', async () => {
    await expect(
      resolveCloudCredentials({ env: { ...openrc, OS_AUTH_TYPE: 'v3oidcpassword' } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        'OS_AUTH_TYPE is not a method Lazarus supports; use password or v3applicationcredential',
      ) as unknown,
    });
  });

  it('explains how to give credentials when there are none at all', async () => {
    await expect(resolveCloudCredentials({ env: {} })).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: expect.stringMatching(
        /^no OpenStack credentials: name a cloud from clouds.yaml \(OS_CLOUD/,
      ) as unknown,
    });
  });
});
