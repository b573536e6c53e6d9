// Keystone v3 token API (keystone api-ref authenticate-v3.inc, application-credentials.inc;
// docs/nova-and-bmc-facts.md#keystone).
import { z } from 'zod';
import type { SimClock } from '../clock.ts';
import type { FaultTable } from '../http/faults.ts';
import { applyFaultsBefore, loseResponse } from '../http/faults.ts';
import type { Reply, RequestHandler } from '../http/server.ts';
import { readText, send } from '../http/server.ts';
import type { Identity, Named } from '../identity.ts';
import type { SeededRandom } from '../random.ts';
import { isoMicros } from '../timestamps.ts';
import type { Token, TokenGrant, TokenStore } from './tokens.ts';

export interface KeystoneAppOptions {
  identity: Identity;
  tokens: TokenStore;
  faults: FaultTable;
  clock: SimClock;
  random: SeededRandom;
  /** Where the catalog says Nova is (…/v2.1), known once Nova listens. */
  novaUrl: () => string;
  /** Where the catalog says Placement is, known once it listens. */
  placementUrl: () => string;
  /** This Keystone's own base URL, for its catalog entry and version document. */
  keystoneUrl: () => string;
}

class KeystoneError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const titles: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

function keystoneFault(status: number, message: string): Reply {
  return {
    status,
    body: { error: { code: status, message, title: titles[status] ?? 'Internal Server Error' } },
  };
}

const unauthorized = (): KeystoneError =>
  new KeystoneError(401, 'The request you have made requires authentication.');

const domainRef = z.object({ id: z.string().optional(), name: z.string().optional() });
const userRef = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  domain: domainRef.optional(),
});
const authSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()).min(1),
      password: z.object({ user: userRef.extend({ password: z.string() }) }).optional(),
      application_credential: z
        .object({
          id: z.string().optional(),
          name: z.string().optional(),
          secret: z.string(),
          user: userRef.optional(),
        })
        .optional(),
    }),
    scope: z
      .union([
        z.object({
          project: z.object({
            id: z.string().optional(),
            name: z.string().optional(),
            domain: domainRef.optional(),
          }),
        }),
        z.object({ system: z.object({ all: z.boolean() }) }),
        z.object({ domain: domainRef }),
      ])
      .optional(),
  }),
});
type AuthRequest = z.infer<typeof authSchema>['auth'];

function matches(
  ref: { id?: string | undefined; name?: string | undefined } | undefined,
  named: Named,
): boolean {
  return (
    ref !== undefined && (ref.id === named.id || (ref.id === undefined && ref.name === named.name))
  );
}

export function createKeystoneHandler(options: KeystoneAppOptions): RequestHandler {
  const { identity } = options;

  function authenticate(auth: AuthRequest): TokenGrant {
    const { identity: id } = auth;
    if (id.methods.includes('application_credential')) {
      const credential = id.application_credential;
      if (auth.scope !== undefined) {
        throw new KeystoneError(
          401,
          'Error authenticating with application credential: Application credentials cannot request a scope.',
        );
      }
      const known = identity.appCredential;
      const isNamed =
        credential?.id === undefined &&
        credential?.name === known.name &&
        matches(credential.user, identity.admin);
      if (
        credential === undefined ||
        (credential.id !== known.id && !isNamed) ||
        credential.secret !== known.secret
      )
        throw unauthorized();
      return {
        methods: ['application_credential'],
        user: identity.admin,
        project: identity.adminProject,
        roles: [identity.adminRole],
        applicationCredential: known,
      };
    }
    const user = id.password?.user;
    if (
      !id.methods.includes('password') ||
      user === undefined ||
      !matches(user, identity.admin) ||
      user.password !== identity.admin.password
    ) {
      throw unauthorized();
    }
    const scope = auth.scope;
    if (scope === undefined || !('project' in scope)) {
      // System- and domain-scoped tokens carry no project, which Nova's admin APIs require.
      return {
        methods: ['password'],
        user: identity.admin,
        project: null,
        roles: scope === undefined ? [] : [identity.adminRole],
        applicationCredential: null,
      };
    }
    if (!matches(scope.project, identity.adminProject)) throw unauthorized();
    return {
      methods: ['password'],
      user: identity.admin,
      project: identity.adminProject,
      roles: [identity.adminRole],
      applicationCredential: null,
    };
  }

  function catalog(): unknown[] {
    const endpoints = (url: string): unknown[] =>
      ['public', 'internal', 'admin'].map((iface) => ({
        id: options.random.hex(16),
        interface: iface,
        region: 'RegionOne',
        region_id: 'RegionOne',
        url,
      }));
    return [
      {
        type: 'compute',
        name: 'nova',
        id: options.random.hex(16),
        endpoints: endpoints(options.novaUrl()),
      },
      {
        type: 'placement',
        name: 'placement',
        id: options.random.hex(16),
        endpoints: endpoints(options.placementUrl()),
      },
      {
        type: 'identity',
        name: 'keystone',
        id: options.random.hex(16),
        endpoints: endpoints(`${options.keystoneUrl()}/v3`),
      },
    ];
  }

  function tokenBody(token: Token): unknown {
    const domain = identity.domain;
    return {
      token: {
        methods: token.methods,
        user: { domain, id: token.user.id, name: token.user.name, password_expires_at: null },
        audit_ids: [token.auditId],
        issued_at: `${isoMicros(token.issuedAt)}Z`,
        expires_at: `${isoMicros(token.expiresAt)}Z`,
        ...(token.project === null
          ? {}
          : { project: { domain, ...token.project }, is_domain: false, catalog: catalog() }),
        ...(token.roles.length === 0 ? {} : { roles: token.roles }),
        ...(token.applicationCredential === null
          ? {}
          : {
              application_credential: {
                id: token.applicationCredential.id,
                name: token.applicationCredential.name,
                restricted: true,
              },
            }),
      },
    };
  }

  function route(
    method: string,
    path: string,
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ): Reply {
    if (method === 'GET' && (path === '/v3' || path === '/v3/')) {
      return {
        status: 200,
        body: {
          version: {
            id: 'v3.14',
            status: 'stable',
            updated: '2020-04-07T00:00:00Z',
            links: [{ rel: 'self', href: `${options.keystoneUrl()}/v3/` }],
            'media-types': [
              { base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' },
            ],
          },
        },
      };
    }
    if (path !== '/v3/auth/tokens') return keystoneFault(404, 'The resource could not be found.');
    if (method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return keystoneFault(400, 'Malformed request body');
      }
      const request = authSchema.safeParse(parsed);
      if (!request.success)
        return keystoneFault(
          400,
          `Invalid input: ${request.error.issues[0]?.message ?? 'malformed auth request'}`,
        );
      const token = options.tokens.issue(authenticate(request.data.auth));
      return { status: 201, headers: { 'X-Subject-Token': token.id }, body: tokenBody(token) };
    }
    if (method === 'GET') {
      if (options.tokens.validate(headerOf(headers, 'x-auth-token')) === null) throw unauthorized();
      const subject = headerOf(headers, 'x-subject-token');
      const token = options.tokens.validate(subject);
      if (token === null) return keystoneFault(404, `Could not find token: ${subject ?? ''}.`);
      return { status: 200, headers: { 'X-Subject-Token': token.id }, body: tokenBody(token) };
    }
    return keystoneFault(405, 'The method specified is not allowed for this resource.');
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = req.method ?? 'GET';
    const text = await readText(req);
    const requestId = `req-${options.random.uuid()}`;
    const outcome = await applyFaultsBefore(
      options.faults.take({ service: 'keystone', endpoint: `${method} ${url.pathname}` }),
      res,
      options.clock,
      (status, message) => {
        send(res, keystoneFault(status, message));
      },
    );
    if (outcome.kind === 'answered') return;
    let reply: Reply;
    try {
      reply = route(method, url.pathname.replace(/\/$/, '') || '/', req.headers, text);
    } catch (error) {
      if (!(error instanceof KeystoneError)) throw error;
      reply = keystoneFault(error.status, error.message);
    }
    if (outcome.isResponseLost) {
      loseResponse(res);
      return;
    }
    send(res, {
      ...reply,
      headers: { 'x-openstack-request-id': requestId, Vary: 'X-Auth-Token', ...reply.headers },
    });
  };
}

function headerOf(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}
