// JSON over HTTP(S) with undici: one connection pool per cloud, TLS verified unless the operator
// explicitly turned verification off, a deadline on every request, and connection failures told
// apart by whether the server may have acted on the request.
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

export interface TlsSettings {
  /** PEM bundle of the CAs that sign the cloud's certificates; the system's CAs when absent. */
  caCertificates?: string;
  /** Skips certificate verification altogether; only ever set from explicit configuration. */
  isInsecure: boolean;
}

// Errors raised before any byte of the request left: the server cannot have acted on it.
const notSentCodes = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);
const tlsCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID',
]);

/** The exchange broke before a response arrived. */
export class ConnectionFailure extends Error {
  override readonly name = 'ConnectionFailure';

  constructor(
    readonly method: HttpMethod,
    readonly url: string,
    /** False only when the request provably never reached the server. */
    readonly mayHaveTakenEffect: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return typeof code === 'string' ? code : codeOf(cause);
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no complete answer within ${timeoutMs} ms`;
  const code = codeOf(error);
  if (code !== undefined && tlsCodes.has(code)) {
    return `TLS certificate verification failed (${code}); set cacert (OS_CACERT) to the CA bundle that signed the cloud's certificate`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return code === undefined ? reason : `${reason} (${code})`;
}

export class HttpTransport {
  readonly #agent: Agent;

  constructor(tls: TlsSettings, readonly timeoutMs: number) {
    this.#agent = new Agent({
      connect: { rejectUnauthorized: !tls.isInsecure, ...(tls.caCertificates === undefined ? {} : { ca: tls.caCertificates }) },
    });
  }

  async send(call: HttpRequest): Promise<HttpResponse> {
    const hasBody = call.body !== undefined;
    try {
      const response = await request(call.url, {
        dispatcher: this.#agent,
        method: call.method,
        headers: { accept: 'application/json', ...(hasBody ? { 'content-type': 'application/json' } : {}), ...call.headers },
        ...(hasBody ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body: parseJson(text) };
    } catch (error) {
      const code = codeOf(error);
      const isNotSent = code !== undefined && (notSentCodes.has(code) || tlsCodes.has(code));
      throw new ConnectionFailure(call.method, call.url, !isNotSent, `${call.method} ${call.url}: ${describeFailure(error, this.timeoutMs)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
