// A Keystone v3 session: one token at a time, renewed before it expires, endpoints from its
// catalog, and exactly one re-authentication when a service answers 401
// (docs/nova-and-bmc-facts.md#keystone).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LazarusError } from '../errors.ts';
import type { CloudCredentials, KeystoneAuth } from './cloud-credentials.ts';
import { describeAccount } from './cloud-credentials.ts';
import type { HttpRequest, HttpResponse } from './http-transport.ts';
import { ConnectionFailure, HttpTransport, TooLateToSend } from './http-transport.ts';
import type { OpenStackLogger } from './logger.ts';
import { consoleLogger } from './logger.ts';
import { parseOpenStackTime } from './openstack-time.ts';
import { Secret } from './secret.ts';
import type { ServiceCatalog } from './service-catalog.ts';
import { catalogSchema, selectEndpoint } from './service-catalog.ts';

export interface KeystoneSessionOptions {
  credentials: CloudCredentials;
  /** Deadline of each HTTP request, Keystone's and the services'. */
  timeoutMs?: number;
  /** A token is renewed this long before its expires_at, so no request leaves with a dying one. */
  renewalMarginMs?: number;
  logger?: OpenStackLogger;
}

interface IssuedToken {
  value: Secret;
  expiresAt: number;
  catalog: ServiceCatalog;
}

const tokenResponseSchema = z.object({
  token: z.object({ expires_at: z.string(), catalog: catalogSchema.optional() }),
});

const keystoneErrorSchema = z.object({ error: z.object({ message: z.string() }) });

function authenticationBody(auth: KeystoneAuth): unknown {
  if (auth.method === 'password') {
    return {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { ...auth.user, password: auth.password.reveal() } },
        },
        scope: { project: auth.project },
      },
    };
  }
  // An application credential carries its own project; asking for a scope is refused with 401
  // (docs/nova-and-bmc-facts.md#tokens).
  return {
    auth: {
      identity: {
        methods: ['application_credential'],
        application_credential: { ...auth.credential, secret: auth.secret.reveal() },
      },
    },
  };
}

export class KeystoneSession {
  readonly transport: HttpTransport;
  readonly #credentials: CloudCredentials;
  readonly #renewalMarginMs: number;
  #token: IssuedToken | undefined;
  #pending: Promise<IssuedToken> | undefined;

  private constructor(options: KeystoneSessionOptions, transport: HttpTransport) {
    this.transport = transport;
    this.#credentials = options.credentials;
    this.#renewalMarginMs = options.renewalMarginMs ?? 120_000;
  }

  static async open(options: KeystoneSessionOptions): Promise<KeystoneSession> {
    const { credentials } = options;
    let caCertificates: string | undefined;
    if (credentials.caCertificateFile !== undefined) {
      try {
        caCertificates = await readFile(credentials.caCertificateFile, 'utf8');
      } catch (error) {
        throw new LazarusError(
          'ConfigurationInvalid',
          `cannot read the CA bundle ${credentials.caCertificateFile} named by cacert (OS_CACERT) in ${credentials.source}: ${error instanceof Error ? error.message : String(error)}; fix the path or its permissions`,
        );
      }
    }
    if (credentials.isInsecure) {
      (options.logger ?? consoleLogger).warn(
        `INSECURE: TLS certificate verification is OFF for Keystone and Nova (insecure/verify set in ${credentials.source}); anyone on the path can read the credentials and forge the cloud's answers. Set cacert instead.`,
        { source: credentials.source },
      );
    }
    return new KeystoneSession(
      options,
      new HttpTransport(
        {
          isInsecure: credentials.isInsecure,
          ...(caCertificates === undefined ? {} : { caCertificates }),
        },
        options.timeoutMs ?? 30_000,
      ),
    );
  }

  /** The URL of a service (e.g. "compute") from the current token's catalog. */
  async endpoint(type: string): Promise<string> {
    const { catalog } = await this.#currentToken();
    const { interface: endpointInterface, regionName } = this.#credentials;
    return selectEndpoint(catalog, {
      type,
      interface: endpointInterface,
      ...(regionName === undefined ? {} : { region: regionName }),
    });
  }

  /**
   * Sends `call` with the token. A 401 means the token was refused (expired early, revoked): one
   * new token, one more try. The 401 comes from the token check in front of the service
   * (keystonemiddleware, docs/nova-and-bmc-facts.md#token-refusal), so the request had no effect
   * and sending it again is safe, even an evacuate. A 401 to a fresh token is AuthenticationFailed.
   *
   * With `mustEndBy` (epoch ms), the token is got first, and the request leaves only while its whole
   * deadline still fits before then (TooLateToSend otherwise, nothing sent); it is abandoned at
   * that moment in any case (docs/nova-and-bmc-facts.md#the-evacuate-deadline).
   */
  async send(call: HttpRequest, service: string, mustEndBy?: number): Promise<HttpResponse> {
    const token = await this.#currentToken();
    const first = await this.#sendWith(call, token, mustEndBy);
    if (first.status !== 401) return first;
    const renewed = await this.#currentToken(token);
    const second = await this.#sendWith(call, renewed, mustEndBy);
    if (second.status !== 401) return second;
    throw new LazarusError(
      'AuthenticationFailed',
      `${service} at ${new URL(call.url).origin} refused a fresh Keystone token for ${describeAccount(this.#credentials.auth)} (401 twice); check that ${service} trusts this Keystone (its keystone_authtoken settings) and that the clocks agree, then retry`,
      {
        service,
        status: 401,
      },
    );
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  #sendWith(call: HttpRequest, token: IssuedToken, mustEndBy?: number): Promise<HttpResponse> {
    if (mustEndBy !== undefined) {
      const timeLeftMs = mustEndBy - Date.now();
      if (timeLeftMs < this.transport.timeoutMs)
        throw new TooLateToSend(timeLeftMs, this.transport.timeoutMs);
    }
    return this.transport.send({
      ...call,
      headers: { ...call.headers, 'x-auth-token': token.value.reveal() },
      ...(mustEndBy === undefined ? {} : { abortAt: mustEndBy }),
    });
  }

  /** A token good for at least the renewal margin; a new one if `refused` is still the current one. */
  async #currentToken(refused?: IssuedToken): Promise<IssuedToken> {
    const token = this.#token;
    const isUsable =
      token !== undefined &&
      token !== refused &&
      token.expiresAt - this.#renewalMarginMs > Date.now();
    if (isUsable) return token;
    // Concurrent callers share one authentication instead of each asking Keystone.
    this.#pending ??= this.#authenticate().finally(() => {
      this.#pending = undefined;
    });
    this.#token = await this.#pending;
    return this.#token;
  }

  async #authenticate(): Promise<IssuedToken> {
    const { authUrl, auth, source } = this.#credentials;
    const url = `${authUrl}/auth/tokens`;
    const who = `${describeAccount(auth)} (from ${source})`;
    let response: HttpResponse;
    try {
      response = await this.transport.send({ method: 'POST', url, body: authenticationBody(auth) });
    } catch (error) {
      if (!(error instanceof ConnectionFailure)) throw error;
      throw new LazarusError(
        'CloudUnavailable',
        `cannot reach Keystone to authenticate ${who}: ${error.message}; check auth_url and the network, then retry`,
        { url },
        { cause: error },
      );
    }
    if (response.status !== 201) throw this.#refusal(response, url, who);
    const subject = response.headers['x-subject-token'];
    const body = tokenResponseSchema.safeParse(response.body);
    const expiresAt = body.success ? parseOpenStackTime(body.data.token.expires_at) : null;
    if (typeof subject !== 'string' || !body.success || expiresAt === null) {
      throw new LazarusError(
        'UnexpectedResponse',
        `Keystone at ${url} answered 201 without a usable token (X-Subject-Token header, token.expires_at); is auth_url really Keystone v3?`,
        { url },
      );
    }
    const catalog = body.data.token.catalog;
    if (catalog === undefined) {
      throw new LazarusError(
        'ConfigurationInvalid',
        `Keystone issued ${who} a token without a service catalog, so it is not scoped to a project; give a project (project_name / OS_PROJECT_NAME) or use an application credential`,
        { url },
      );
    }
    return { value: new Secret(subject), expiresAt, catalog };
  }

  #refusal(response: HttpResponse, url: string, who: string): LazarusError {
    const parsed = keystoneErrorSchema.safeParse(response.body);
    const said = parsed.success ? `: "${this.#scrub(parsed.data.error.message)}"` : '';
    const details = { url, status: response.status };
    switch (response.status) {
      case 401:
        return new LazarusError(
          'AuthenticationFailed',
          `Keystone at ${url} rejected the credentials of ${who} (401)${said}; correct the password or secret, user, domain or project, then retry`,
          details,
        );
      case 403:
        return new LazarusError(
          'PermissionDenied',
          `Keystone at ${url} forbade authenticating ${who} (403)${said}; check the account is enabled and has a role on the project`,
          details,
        );
      case 400:
      case 404:
        return new LazarusError(
          'ConfigurationInvalid',
          `Keystone at ${url} could not take the authentication request for ${who} (${response.status})${said}; check auth_url points at Keystone v3 and the names of user, project and domains`,
          details,
        );
      default:
        return new LazarusError(
          'CloudUnavailable',
          `Keystone at ${url} failed to authenticate ${who} (${response.status})${said}; retry later`,
          details,
        );
    }
  }

  /** Keystone's validation messages may quote the request; never let them carry the secret. */
  #scrub(text: string): string {
    const { auth } = this.#credentials;
    const secret = (auth.method === 'password' ? auth.password : auth.secret).reveal();
    return text.split(secret).join('[redacted]');
  }
}
