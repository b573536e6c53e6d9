// HTTP to one Redfish BMC with undici: Basic or session authentication, one re-login when a
// session has expired, TLS verified unless the operator switched it off, and every transport or
// authentication failure turned into a typed error that names the BMC (API-FACTS §3).
import { Agent, request } from 'undici';
import { LazarusError } from '../errors.ts';

/** Where sessions are created on every Redfish service (DMTF Redfish spec, API-FACTS §3). */
const SESSIONS_PATH = '/redfish/v1/SessionService/Sessions';

export type RedfishAuth = 'session' | 'basic';

export interface RedfishConnectionOptions {
  /** Scheme, host and port, e.g. https://10.0.0.7 (the service root is /redfish/v1). */
  baseUrl: string;
  username: string;
  password: string;
  auth: RedfishAuth;
  /** PEM text of the CAs to trust instead of the system's. */
  caBundle?: string;
  /** Skips certificate verification; warned about loudly on every driver built with it. */
  isInsecure: boolean;
  requestTimeoutMs: number;
  warn: (message: string) => void;
}

export interface RedfishResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: unknown;
}

export type Method = 'GET' | 'POST' | 'DELETE';

export class RedfishClient {
  readonly baseUrl: string;
  readonly #username: string;
  readonly #password: string;
  readonly #auth: RedfishAuth;
  readonly #timeoutMs: number;
  readonly #agent: Agent;
  #session: { token: string; uri: string | undefined } | undefined;

  constructor(options: RedfishConnectionOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#username = options.username;
    this.#password = options.password;
    this.#auth = options.auth;
    this.#timeoutMs = options.requestTimeoutMs;
    if (options.isInsecure) {
      options.warn(
        `WARNING: TLS certificate verification is OFF for the Redfish BMC at ${this.baseUrl} (fencing.redfish.insecure); ` +
        'anyone on the network path can impersonate this BMC and fake a power-off. Set fencing.redfish.caBundle instead.',
      );
    }
    this.#agent = new Agent({
      connect: { rejectUnauthorized: !options.isInsecure, ...(options.caBundle === undefined ? {} : { ca: options.caBundle }) },
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
    });
  }

  get(path: string): Promise<RedfishResponse> {
    return this.send('GET', path);
  }

  post(path: string, body: unknown): Promise<RedfishResponse> {
    return this.send('POST', path, body);
  }

  /** Logs out of the session, if any, and closes the connections. */
  async close(): Promise<void> {
    if (this.#agent.closed) return;
    const session = this.#session;
    this.#session = undefined;
    try {
      if (session?.uri !== undefined) await this.exchange('DELETE', session.uri, undefined, { 'X-Auth-Token': session.token });
    } catch {
      // The session times out on its own (SessionService SessionTimeout); a failed logout harms nothing.
    } finally {
      await this.#agent.close();
    }
  }

  private async send(method: Method, path: string, body?: unknown): Promise<RedfishResponse> {
    if (this.#auth === 'basic') {
      const basic = Buffer.from(`${this.#username}:${this.#password}`).toString('base64');
      return this.rejectingAuthFailures(await this.exchange(method, path, body, { Authorization: `Basic ${basic}` }), method, path);
    }
    const hadSession = this.#session !== undefined;
    const response = await this.exchange(method, path, body, { 'X-Auth-Token': (await this.session()).token });
    // Sessions expire after SessionTimeout of inactivity (§3); log in again, once.
    if (response.status !== 401 || !hadSession) return this.rejectingAuthFailures(response, method, path);
    this.#session = undefined;
    const retried = await this.exchange(method, path, body, { 'X-Auth-Token': (await this.session()).token });
    return this.rejectingAuthFailures(retried, method, path);
  }

  private async session(): Promise<{ token: string; uri: string | undefined }> {
    if (this.#session !== undefined) return this.#session;
    const response = await this.exchange('POST', SESSIONS_PATH, { UserName: this.#username, Password: this.#password }, {});
    if (response.status === 401 || response.status === 403) throw this.credentialsRejected(response, 'POST', SESSIONS_PATH);
    const token = header(response, 'x-auth-token');
    // sushy-tools, for one, has no SessionService (API-FACTS §5a); such BMCs take Basic auth.
    if (response.status === 404 || response.status === 405 || (response.status < 300 && token === undefined)) {
      throw new LazarusError(
        'BmcUnsupported',
        `Redfish BMC at ${this.baseUrl} offers no usable session login (POST ${SESSIONS_PATH} → ${response.status}); set auth: basic for this BMC in the inventory`,
        { bmc: this.baseUrl, status: response.status },
      );
    }
    if (token === undefined || response.status >= 300) throw this.unexpected(response, 'POST', SESSIONS_PATH);
    this.#session = { token, uri: header(response, 'location') };
    return this.#session;
  }

  private rejectingAuthFailures(response: RedfishResponse, method: Method, path: string): RedfishResponse {
    if (response.status === 401 || response.status === 403) throw this.credentialsRejected(response, method, path);
    if (response.status >= 500) throw this.unexpected(response, method, path);
    return response;
  }

  private credentialsRejected(response: RedfishResponse, method: Method, path: string): LazarusError {
    const why = response.status === 403 ? 'refused the request for lack of privilege' : 'rejected the credentials';
    return new LazarusError(
      'BmcAuthenticationFailed',
      `Redfish BMC at ${this.baseUrl} ${why} of user "${this.#username}" (${method} ${path} → ${response.status}${redfishMessage(response.body)}); ` +
      "check the username and the password this host's BMC entry references (passwordEnv or passwordFile), and the account's role",
      { bmc: this.baseUrl, status: response.status, method, path },
    );
  }

  /** A 5xx, or a status Lazarus cannot act on: the BMC may answer better a little later. */
  unexpected(response: RedfishResponse, method: Method, path: string): LazarusError {
    return new LazarusError(
      'BmcUnavailable',
      `Redfish BMC at ${this.baseUrl} answered ${method} ${path} with ${response.status}${redfishMessage(response.body)}; Lazarus will retry, check the BMC if it persists`,
      { bmc: this.baseUrl, status: response.status, method, path },
    );
  }

  private async exchange(method: Method, path: string, body: unknown, headers: Record<string, string>): Promise<RedfishResponse> {
    const url = new URL(path, `${this.baseUrl}/`);
    try {
      const response = await request(url, {
        method,
        dispatcher: this.#agent,
        headers: { Accept: 'application/json', 'OData-Version': '4.0', ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body: parseJson(text) };
    } catch (error) {
      throw this.transportFailure(error, method, path);
    }
  }

  private transportFailure(error: unknown, method: Method, path: string): LazarusError {
    const code = errorCode(error);
    if (code !== undefined && TLS_TRUST_ERRORS.has(code)) {
      return new LazarusError(
        'ConfigurationInvalid',
        `Redfish BMC at ${this.baseUrl}: its TLS certificate is not trusted (${code}); ` +
        'set fencing.redfish.caBundle to the PEM file of the CA that signed it',
        { bmc: this.baseUrl, code, method, path },
        { cause: error },
      );
    }
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.#timeoutMs} ms` : (code ?? describe(error));
    return new LazarusError(
      'BmcUnavailable',
      `Redfish BMC at ${this.baseUrl} did not answer ${method} ${path} (${reason}); check that the BMC is powered and reachable from the Lazarus worker`,
      { bmc: this.baseUrl, method, path, ...(code === undefined ? {} : { code }) },
      { cause: error },
    );
  }
}

/** Node's codes for a certificate that does not chain to a trusted CA or does not match the host. */
const TLS_TRUST_ERRORS = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR_SOCKET')) return code;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function header(response: RedfishResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The DMTF error message of a body (`error.@Message.ExtendedInfo[0].Message` or `error.message`), as ': "…"'. */
export function redfishMessage(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('error' in body)) return '';
  const error = (body as { error: { message?: unknown; '@Message.ExtendedInfo'?: { MessageId?: unknown; Message?: unknown }[] } }).error;
  const info = Array.isArray(error['@Message.ExtendedInfo']) ? error['@Message.ExtendedInfo'][0] : undefined;
  const message = typeof info?.Message === 'string' ? info.Message : error.message;
  return typeof message === 'string' ? `: "${message}"` : '';
}
