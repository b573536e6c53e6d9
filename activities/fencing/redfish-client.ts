// One Redfish BMC over activities/http: Basic or session authentication, one re-login when a
// session has expired, and every transport or authentication failure turned into a typed error
// that names the BMC (docs/nova-and-bmc-facts.md#redfish).
import { LazarusError } from '../errors.ts';
import { JsonHttp, RequestFailure } from '../http/json-http.ts';

/** Where sessions are created on every Redfish service (DMTF Redfish spec, docs/nova-and-bmc-facts.md#sessions-and-basic-auth). */
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
  /** What the service is, in messages: a BMC unless said otherwise. */
  deviceKind?: 'BMC' | 'PDU';
  /** The operator's name for the device, when it has one (a PDU's), in messages. */
  deviceName?: string;
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
  readonly #http: JsonHttp;
  readonly #kind: 'BMC' | 'PDU';
  /** "Redfish BMC" or "Redfish PDU pdu-r12-a", to start messages. */
  readonly #device: string;
  #session: { token: string; uri: string | undefined } | undefined;

  constructor(options: RedfishConnectionOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#username = options.username;
    this.#password = options.password;
    this.#auth = options.auth;
    this.#kind = options.deviceKind ?? 'BMC';
    this.#device = `Redfish ${this.#kind}${options.deviceName === undefined ? '' : ` ${options.deviceName}`}`;
    if (options.isInsecure) {
      options.warn(
        `WARNING: TLS certificate verification is OFF for the ${this.#device} at ${this.baseUrl} (fencing.redfish.insecure); ` +
          'anyone on the network path can impersonate this device and fake a power-off. Set fencing.redfish.caBundle instead.',
      );
    }
    this.#http = new JsonHttp(options, options.requestTimeoutMs);
  }

  get(path: string): Promise<RedfishResponse> {
    return this.send('GET', path);
  }

  post(path: string, body: unknown): Promise<RedfishResponse> {
    return this.send('POST', path, body);
  }

  /** Logs out of the session, if any, and closes the connections. */
  async close(): Promise<void> {
    if (this.#http.isClosed) return;
    const session = this.#session;
    this.#session = undefined;
    try {
      if (session?.uri !== undefined)
        await this.exchange('DELETE', session.uri, undefined, { 'X-Auth-Token': session.token });
    } catch {
      // The session times out on its own (SessionService SessionTimeout); a failed logout harms nothing.
    } finally {
      await this.#http.close();
    }
  }

  private async send(method: Method, path: string, body?: unknown): Promise<RedfishResponse> {
    if (this.#auth === 'basic') {
      const basic = Buffer.from(`${this.#username}:${this.#password}`).toString('base64');
      return this.rejectingAuthFailures(
        await this.exchange(method, path, body, { Authorization: `Basic ${basic}` }),
        method,
        path,
      );
    }
    const hadSession = this.#session !== undefined;
    const response = await this.exchange(method, path, body, {
      'X-Auth-Token': (await this.session()).token,
    });
    // Sessions expire after SessionTimeout of inactivity (docs/nova-and-bmc-facts.md#sessions-and-basic-auth); log in again, once.
    if (response.status !== 401 || !hadSession)
      return this.rejectingAuthFailures(response, method, path);
    this.#session = undefined;
    const retried = await this.exchange(method, path, body, {
      'X-Auth-Token': (await this.session()).token,
    });
    return this.rejectingAuthFailures(retried, method, path);
  }

  private async session(): Promise<{ token: string; uri: string | undefined }> {
    if (this.#session !== undefined) return this.#session;
    const response = await this.exchange(
      'POST',
      SESSIONS_PATH,
      { UserName: this.#username, Password: this.#password },
      {},
    );
    if (response.status === 401 || response.status === 403)
      throw this.credentialsRejected(response, 'POST', SESSIONS_PATH);
    const token = header(response, 'x-auth-token');
    // sushy-tools, for one, has no SessionService (docs/nova-and-bmc-facts.md#sushy-tools); such BMCs take Basic auth.
    if (
      response.status === 404 ||
      response.status === 405 ||
      (response.status < 300 && token === undefined)
    ) {
      throw new LazarusError(
        'BmcUnsupported',
        `${this.#device} at ${this.baseUrl} offers no usable session login (POST ${SESSIONS_PATH} → ${response.status}); ` +
          `set auth: basic for this ${this.#kind} in the inventory`,
        { bmc: this.baseUrl, status: response.status },
      );
    }
    if (token === undefined || response.status >= 300)
      throw this.unexpected(response, 'POST', SESSIONS_PATH);
    this.#session = { token, uri: header(response, 'location') };
    return this.#session;
  }

  private rejectingAuthFailures(
    response: RedfishResponse,
    method: Method,
    path: string,
  ): RedfishResponse {
    if (response.status === 401 || response.status === 403)
      throw this.credentialsRejected(response, method, path);
    if (response.status >= 500) throw this.unexpected(response, method, path);
    return response;
  }

  private credentialsRejected(
    response: RedfishResponse,
    method: Method,
    path: string,
  ): LazarusError {
    const why =
      response.status === 403
        ? 'refused the request for lack of privilege'
        : 'rejected the credentials';
    return new LazarusError(
      'BmcAuthenticationFailed',
      `${this.#device} at ${this.baseUrl} ${why} of user "${this.#username}" (${method} ${path} → ${response.status}${redfishMessage(response.body)}); ` +
        `check the username and the password this ${this.#kind}'s entry references (passwordEnv or passwordFile), and the account's role`,
      { bmc: this.baseUrl, status: response.status, method, path },
    );
  }

  /** A 5xx, or a status Lazarus cannot act on: the BMC may answer better a little later. */
  unexpected(response: RedfishResponse, method: Method, path: string): LazarusError {
    return new LazarusError(
      'BmcUnavailable',
      `${this.#device} at ${this.baseUrl} answered ${method} ${path} with ${response.status}${redfishMessage(response.body)}; ` +
        `Lazarus will retry, check the ${this.#kind} if it persists`,
      { bmc: this.baseUrl, status: response.status, method, path },
    );
  }

  private async exchange(
    method: Method,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<RedfishResponse> {
    try {
      return await this.#http.send({
        method,
        url: new URL(path, `${this.baseUrl}/`),
        headers: { 'OData-Version': '4.0', ...headers },
        body,
      });
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      throw this.transportFailure(error, method, path);
    }
  }

  private transportFailure(failure: RequestFailure, method: Method, path: string): LazarusError {
    const { code } = failure;
    if (failure.kind === 'untrusted-certificate') {
      return new LazarusError(
        'ConfigurationInvalid',
        `${this.#device} at ${this.baseUrl}: its TLS certificate is not trusted (${code ?? 'unknown code'}); ` +
          'set fencing.redfish.caBundle to the PEM file of the CA that signed it',
        { bmc: this.baseUrl, code, method, path },
        { cause: failure.cause },
      );
    }
    return new LazarusError(
      'BmcUnavailable',
      `${this.#device} at ${this.baseUrl} did not answer ${method} ${path} (${code ?? failure.message}); ` +
        `check that the ${this.#kind} is powered and reachable from the Lazarus worker`,
      { bmc: this.baseUrl, method, path, ...(code === undefined ? {} : { code }) },
      { cause: failure.cause },
    );
  }
}

export function header(response: RedfishResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The DMTF error message of a body (`error.@Message.ExtendedInfo[0].Message` or `error.message`), as ': "…"'. */
export function redfishMessage(body: unknown): string {
  if (typeof body !== 'object' || body === null || !('error' in body)) return '';
  const error = (
    body as {
      error: {
        message?: unknown;
        '@Message.ExtendedInfo'?: { MessageId?: unknown; Message?: unknown }[];
      };
    }
  ).error;
  const info = Array.isArray(error['@Message.ExtendedInfo'])
    ? error['@Message.ExtendedInfo'][0]
    : undefined;
  const message = typeof info?.Message === 'string' ? info.Message : error.message;
  return typeof message === 'string' ? `: "${message}"` : '';
}
