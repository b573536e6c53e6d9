// A clouds.yaml for the simulated cloud, so openstackclient and SDK-style clients find it the
// usual way (OS_CLOUD=<name>).
import { writeFile } from 'node:fs/promises';
import type { Identity } from './identity.ts';

export const cloudName = 'lazarus-sim';
export const appCredentialCloudName = 'lazarus-sim-appcred';

function cloud(name: string, authType: string, auth: Record<string, string>): string[] {
  return [
    `  ${name}:`,
    `    auth_type: ${authType}`,
    '    auth:',
    ...Object.entries(auth).map(([key, value]) => `      ${key}: ${value}`),
    '    region_name: RegionOne',
    '    interface: public',
    '    identity_api_version: 3',
  ];
}

export async function writeCloudsYaml(
  path: string,
  keystoneUrl: string,
  identity: Identity,
): Promise<void> {
  const { admin, adminProject, domain, appCredential } = identity;
  const authUrl = `${keystoneUrl}/v3`;
  const lines = [
    'clouds:',
    ...cloud(cloudName, 'password', {
      auth_url: authUrl,
      username: admin.name,
      password: admin.password,
      project_name: adminProject.name,
      user_domain_id: domain.id,
      project_domain_id: domain.id,
    }),
    ...cloud(appCredentialCloudName, 'v3applicationcredential', {
      auth_url: authUrl,
      application_credential_id: appCredential.id,
      application_credential_secret: appCredential.secret,
    }),
    '',
  ];
  await writeFile(path, lines.join('\n'), { mode: 0o600 });
}
