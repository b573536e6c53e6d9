// Keystone v3 tokens as clients meet them (docs/nova-and-bmc-facts.md#keystone), and Nova's view of them.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { passwordAuth, useCloud } from './cloud.ts';
import { expectShapeOf, loadSample } from './shape.ts';

const cloud = useCloud({ hosts: 1, instancesPerHost: 1 });

function appCredentialAuth(sample: string, credential: Record<string, unknown>): unknown {
  const request = loadSample(`keystone-api-samples/${sample}`) as {
    auth: { identity: { application_credential: Record<string, unknown> } };
  };
  const { identity } = request.auth;
  return {
    auth: {
      identity: {
        ...identity,
        application_credential: { ...identity.application_credential, ...credential },
      },
    },
  };
}

describe('POST /v3/auth/tokens', () => {
  it('issues a project-scoped token in X-Subject-Token with a catalog that points at Nova', async () => {
    const c = cloud();
    const answer = await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim));
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-subject-token')).toMatch(/^gAAAAA/);
    expectShapeOf(answer.body, 'keystone-api-samples/auth-password-project-scoped-response.json');
    const { token } = answer.body as {
      token: {
        catalog: { type: string; endpoints: { interface: string; url: string }[] }[];
        expires_at: string;
        issued_at: string;
      };
    };
    const compute = token.catalog.find((s) => s.type === 'compute');
    expect(compute?.endpoints.find((e) => e.interface === 'public')?.url).toBe(c.sim.novaUrl);
    expect(token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(token.expires_at) - Date.parse(token.issued_at)).toBeCloseTo(3_600_000, -1);
  });

  it('issues an unscoped token without a project or catalog', async () => {
    const c = cloud();
    const answer = await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim, false));
    expect(answer.status).toBe(201);
    expectShapeOf(answer.body, 'keystone-api-samples/auth-password-unscoped-response.json');
  });

  it.each([
    ['auth-application-credential-id-request.json', (id: string) => ({ id })],
    [
      'auth-application-credential-name-request.json',
      (_id: string, name: string, user: string) => ({ name, user: { id: user } }),
    ],
  ])(
    'accepts an application credential as in %s and scopes the token to its project',
    async (sample, select) => {
      const c = cloud();
      const { applicationCredential: credential } = c.sim.credentials;
      const me = (
        await c.keystone('GET', '/v3/auth/tokens', undefined, {
          'x-auth-token': c.token,
          'x-subject-token': c.token,
        })
      ).body as { token: { user: { id: string } } };
      const body = appCredentialAuth(sample, {
        ...select(credential.id, credential.name, me.token.user.id),
        secret: credential.secret,
      });
      const answer = await c.keystone('POST', '/v3/auth/tokens', body);
      expect(answer.status).toBe(201);
      expectShapeOf(answer.body, 'keystone-api-samples/auth-application-credential-response.json');
    },
  );

  it("refuses an application credential that asks for a scope with 401 and Keystone's message", async () => {
    const c = cloud();
    const { applicationCredential: credential, projectName } = c.sim.credentials;
    const body = appCredentialAuth('auth-application-credential-id-request.json', {
      id: credential.id,
      secret: credential.secret,
    }) as { auth: Record<string, unknown> };
    const answer = await c.keystone('POST', '/v3/auth/tokens', {
      auth: { ...body.auth, scope: { project: { name: projectName, domain: { id: 'default' } } } },
    });
    expect(answer).toMatchObject({
      status: 401,
      body: {
        error: {
          code: 401,
          message:
            'Error authenticating with application credential: Application credentials cannot request a scope.',
        },
      },
    });
  });

  it('refuses a wrong password with the generic 401', async () => {
    const c = cloud();
    const body = passwordAuth({
      ...c.sim,
      credentials: { ...c.sim.credentials, password: 'wrong' },
    });
    expect(await c.keystone('POST', '/v3/auth/tokens', body)).toMatchObject({
      status: 401,
      body: {
        error: {
          code: 401,
          title: 'Unauthorized',
          message: 'The request you have made requires authentication.',
        },
      },
    });
  });
});

describe('tokens at Nova', () => {
  it('answers 403 naming the policy when the token has no project scope', async () => {
    const c = cloud();
    const unscoped =
      (await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim, false))).headers.get(
        'x-subject-token',
      ) ?? '';
    expect(
      await c.nova('POST', '/servers/x/action', {
        token: unscoped,
        microversion: '2.53',
        body: { evacuate: {} },
      }),
    ).toMatchObject({
      status: 403,
      body: {
        forbidden: {
          code: 403,
          message: "Policy doesn't allow os_compute_api:os-evacuate to be performed.",
        },
      },
    });
  });

  it('answers 401 once the token expired, and accepts a fresh one', async () => {
    const c = cloud();
    const own =
      (await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim))).headers.get(
        'x-subject-token',
      ) ?? '';
    expect((await c.nova('GET', '/os-services', { token: own })).status).toBe(200);
    c.sim.expireTokens();
    expect((await c.nova('GET', '/os-services', { token: own })).status).toBe(401);
    const fresh =
      (await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim))).headers.get(
        'x-subject-token',
      ) ?? '';
    expect((await c.nova('GET', '/os-services', { token: fresh })).status).toBe(200);
  });

  // Last: the cloud keeps the new password for the rest of this file.
  it('refuses the old password after a rotation, and clouds.yaml carries the new one once written again', async () => {
    const c = cloud();
    const before = passwordAuth(c.sim);
    const own =
      (await c.keystone('POST', '/v3/auth/tokens', before)).headers.get('x-subject-token') ?? '';
    const oldPassword = c.sim.credentials.password;
    c.sim.rotatePassword();
    expect((await c.keystone('POST', '/v3/auth/tokens', before)).status).toBe(401);
    expect((await c.nova('GET', '/os-services', { token: own })).status).toBe(401);
    expect(await readFile(c.sim.cloudsYamlPath, 'utf8')).toContain(`password: ${oldPassword}`);

    await c.sim.writeCloudsYaml();
    const cloudsYaml = await readFile(c.sim.cloudsYamlPath, 'utf8');
    expect(cloudsYaml).toContain(`password: ${c.sim.credentials.password}`);
    expect(cloudsYaml).not.toContain(oldPassword);
    expect((await c.keystone('POST', '/v3/auth/tokens', passwordAuth(c.sim))).status).toBe(201);
  });
});
