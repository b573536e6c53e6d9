// The Keystone session: password and application-credential tokens, renewal before expiry, one
// re-authentication on a 401, and endpoint selection from the catalog
// (docs/nova-and-bmc-facts.md#keystone).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  KeystoneSession,
  resolveCloudCredentials,
} from '../../../../activities/openstack/index.ts';
import { connect, credentialsOf, useSimulator } from './cloud.ts';

describe('authentication', () => {
  const sim = useSimulator({ hosts: 2, instancesPerHost: 1 });

  it('gets a project-scoped token with a password and finds Nova in its catalog', async () => {
    const session = await KeystoneSession.open({ credentials: await credentialsOf(sim()) });
    expect(await session.endpoint('compute')).toBe(sim().novaUrl);
    await session.close();
  });

  it('authenticates with an application credential by id, without asking for a scope', async () => {
    const { nova } = await connect(sim(), {
      credentials: await credentialsOf(sim(), 'application-credential'),
    });
    expect(await nova.listComputeServices()).toHaveLength(2);
  });

  it('authenticates with an application credential by name and owner from OS_* variables', async () => {
    const { applicationCredential, username, userDomainId } = sim().credentials;
    const credentials = await resolveCloudCredentials({
      env: {
        OS_AUTH_URL: sim().keystoneUrl,
        OS_AUTH_TYPE: 'v3applicationcredential',
        OS_APPLICATION_CREDENTIAL_NAME: applicationCredential.name,
        OS_APPLICATION_CREDENTIAL_SECRET: applicationCredential.secret,
        OS_USERNAME: username,
        OS_USER_DOMAIN_ID: userDomainId,
      },
    });
    const { nova } = await connect(sim(), { credentials });
    expect(await nova.listComputeServices()).toHaveLength(2);
  });

  it('fails with AuthenticationFailed naming the account and where it came from, when the password is wrong', async () => {
    const { username, projectName } = sim().credentials;
    const credentials = await resolveCloudCredentials({
      env: {
        OS_AUTH_URL: `${sim().keystoneUrl}/v3`,
        OS_USERNAME: username,
        OS_PASSWORD: 'not-the-password',
        OS_PROJECT_NAME: projectName,
        OS_USER_DOMAIN_NAME: 'Default',
        OS_PROJECT_DOMAIN_NAME: 'Default',
      },
    });
    await expect(connect(sim(), { credentials })).rejects.toMatchObject({
      type: 'AuthenticationFailed',
      message: expect.stringMatching(
        new RegExp(
          `rejected the credentials of user '${username}' \\(domain 'Default'\\) in project '${projectName}'.*from the OS_\\* environment variables.*correct the password`,
        ),
      ) as unknown,
    });
  });

  it('fails with CloudUnavailable when Keystone answers 503, and asks again on the next call', async () => {
    const s = sim();
    s.addFault({
      service: 'keystone',
      endpoint: 'POST /v3/auth/tokens',
      fault: { kind: 'status', status: 503 },
      times: 1,
    });
    const session = await KeystoneSession.open({ credentials: await credentialsOf(s) });
    await expect(session.endpoint('compute')).rejects.toMatchObject({
      type: 'CloudUnavailable',
      details: { status: 503 },
    });
    expect(await session.endpoint('compute')).toBe(s.novaUrl);
    await session.close();
  });
});

describe('endpoint selection', () => {
  const sim = useSimulator({ hosts: 1, instancesPerHost: 1 });

  it('picks the endpoint of the configured interface and region', async () => {
    const credentials = {
      ...(await credentialsOf(sim())),
      interface: 'internal' as const,
      regionName: 'RegionOne',
    };
    const session = await KeystoneSession.open({ credentials });
    expect(await session.endpoint('compute')).toBe(sim().novaUrl);
    await session.close();
  });

  it('lists what the catalog offers when nothing matches the region', async () => {
    const credentials = { ...(await credentialsOf(sim())), regionName: 'RegionTwo' };
    const session = await KeystoneSession.open({ credentials });
    await expect(session.endpoint('compute')).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: expect.stringContaining(
        `the Keystone catalog has no compute endpoint with interface public in region RegionTwo; set region_name / interface (OS_REGION_NAME / OS_INTERFACE) to match one of: compute public RegionOne ${sim().novaUrl}`,
      ) as unknown,
    });
    await expect(session.endpoint('placement')).rejects.toMatchObject({
      type: 'ConfigurationInvalid',
      message: expect.stringMatching(/no placement endpoint/) as unknown,
    });
    await session.close();
  });
});

describe('token lifetime', () => {
  // Keystone's token lifetime is in real time; the session renews 300 ms before expires_at.
  const lifetimeMs = 1000;
  const sim = useSimulator({ hosts: 2, instancesPerHost: 1, tokenLifetimeMs: lifetimeMs });

  it('keeps working across several token lifetimes', async () => {
    const { nova, logs } = await connect(sim(), { renewalMarginMs: 300 });
    for (let call = 0; call < 12; call += 1) {
      expect(await nova.listComputeServices()).toHaveLength(2);
      await sleep(lifetimeMs / 4);
    }
    expect(logs.lines).toEqual([]);
  });

  it('renews a token that is about to expire before using it, not after a 401', async () => {
    const s = sim();
    const { nova, logs } = await connect(s, { renewalMarginMs: 300 });
    await sleep(lifetimeMs - 200);
    // The token is still valid for Nova; only a session renewing early asks Keystone now, and
    // meets the fault (the read is then retried).
    s.addFault({
      service: 'keystone',
      endpoint: 'POST /v3/auth/tokens',
      fault: { kind: 'status', status: 503 },
      times: 1,
    });
    expect(await nova.listComputeServices()).toHaveLength(2);
    expect(logs.lines).toEqual([
      expect.stringMatching(/^Keystone at \S+ failed to authenticate .*\(503\).*retrying in/),
    ]);
  });
});

describe('a 401 from Nova', () => {
  const sim = useSimulator({ hosts: 2, instancesPerHost: 1 });

  it('re-authenticates once when Keystone revoked the token early, and carries on', async () => {
    const s = sim();
    const { nova } = await connect(s);
    s.expireTokens();
    expect(await nova.listComputeServices()).toHaveLength(2);
  });

  it('fails with AuthenticationFailed when Nova refuses the fresh token too, after exactly two tries', async () => {
    const s = sim();
    const { nova } = await connect(s);
    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status: 401 },
      times: 2,
    });
    await expect(nova.listComputeServices()).rejects.toMatchObject({
      type: 'AuthenticationFailed',
      message: expect.stringMatching(
        /^Nova at http:\/\/127\.0\.0\.1:\d+ refused a fresh Keystone token .* \(401 twice\)/,
      ) as unknown,
    });
    // A third try would have succeeded: the two faults were the only two requests.
    expect(s.faults()).toEqual([]);
  });
});
