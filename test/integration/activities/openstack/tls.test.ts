// TLS towards Keystone and Nova: verified by default, a CA bundle through cacert (OS_CACERT), and
// verification off only when explicitly asked, with a loud warning.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudCredentials } from '../../../../activities/openstack/index.ts';
import {
  KeystoneSession,
  resolveCloudCredentials,
} from '../../../../activities/openstack/index.ts';
import { createServerCertificate } from '../../../../simulator/bmc/tls-certificates.ts';
import { captureLogs } from './cloud.ts';

let dir = '';
let caBundle = '';
let server: Server | undefined;
let authUrl = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lazarus-tls-'));
  const certificate = await createServerCertificate(dir);
  caBundle = certificate.caBundle;
  // A Keystone that refuses everyone: reaching it at all proves the TLS handshake passed.
  server = createServer({ key: certificate.key, cert: certificate.cert }, (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: {
          code: 401,
          title: 'Unauthorized',
          message: 'The request you have made requires authentication.',
        },
      }),
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  authUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function credentials(extra: Record<string, string>): Promise<CloudCredentials> {
  return resolveCloudCredentials({
    env: {
      OS_AUTH_URL: authUrl,
      OS_USERNAME: 'lazarus',
      OS_PASSWORD: 'pw',
      OS_PROJECT_NAME: 'admin',
      OS_USER_DOMAIN_NAME: 'Default',
      OS_PROJECT_DOMAIN_NAME: 'Default',
      ...extra,
    },
  });
}

async function firstAuthentication(
  extra: Record<string, string>,
): Promise<{ error: unknown; lines: string[] }> {
  const logs = captureLogs();
  const session = await KeystoneSession.open({
    credentials: await credentials(extra),
    logger: logs.logger,
  });
  const error = await session.endpoint('compute').catch((e: unknown) => e);
  await session.close();
  return { error, lines: logs.lines };
}

describe('TLS', () => {
  it('verifies certificates by default and says how to trust the cloud CA', async () => {
    const { error } = await firstAuthentication({});
    expect(error).toMatchObject({
      type: 'CloudUnavailable',
      message: expect.stringMatching(
        /TLS certificate verification failed \(\w+\); set cacert \(OS_CACERT\)/,
      ) as unknown,
    });
  });

  it('trusts the CA bundle named by OS_CACERT', async () => {
    const { error, lines } = await firstAuthentication({ OS_CACERT: caBundle });
    expect(error).toMatchObject({ type: 'AuthenticationFailed' });
    expect(lines).toEqual([]);
  });

  it('skips verification only with OS_INSECURE=true, and warns once when the session opens', async () => {
    const { error, lines } = await firstAuthentication({ OS_INSECURE: 'true' });
    expect(error).toMatchObject({ type: 'AuthenticationFailed' });
    expect(lines).toEqual([
      expect.stringMatching(
        /^INSECURE: TLS certificate verification is OFF for Keystone and Nova \(insecure\/verify set in the OS_\* environment variables\)/,
      ),
    ]);
  });

  it('refuses to open a session whose CA bundle cannot be read', async () => {
    await expect(
      KeystoneSession.open({
        credentials: await credentials({ OS_CACERT: join(dir, 'missing.pem') }),
      }),
    ).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: expect.stringMatching(
        /cannot read the CA bundle .*missing\.pem named by cacert \(OS_CACERT\)/,
      ) as unknown,
    });
  });
});
