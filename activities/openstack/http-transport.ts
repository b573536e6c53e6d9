// The Keystone and Nova side of activities/http: the request and error shapes the OpenStack
// clients speak, and what an operator should do about an untrusted cloud certificate.
import type { IncomingHttpHeaders } from 'node:http';
import { JsonHttp, RequestFailure } from '../http/json-http.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Epoch ms at which the request is abandoned even if its own deadline is later. */
  abortAt?: number;
  /** Abandons the request when it aborts, whatever the time. */
  signal?: AbortSignal;
}

/**
 * When a state-changing request must be over: it leaves only with its whole deadline before
 * `mustEndBy` (epoch ms) and is abandoned then, or earlier once `abandon` aborts
 * (docs/nova-and-bmc-facts.md#the-evacuate-deadline).
 */
export interface SendDeadline {
  mustEndBy: number;
  abandon?: AbortSignal;
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

/**
 * A request that was not sent because less than its own deadline was left before `mustEndBy`:
 * it could still be in flight when the caller's time is up (an activity attempt that Temporal
 * retries while the first one still runs).
 */
export class TooLateToSend extends Error {
  override readonly name = 'TooLateToSend';

  constructor(
    readonly timeLeftMs: number,
    readonly requestTimeoutMs: number,
  ) {
    super(
      `not sent: ${Math.max(0, Math.round(timeLeftMs / 1000))} s were left, less than the ${requestTimeoutMs / 1000} s the request may take`,
    );
  }
}

function describeFailure(failure: RequestFailure): string {
  if (failure.kind !== 'untrusted-certificate') return failure.message;
  return `TLS certificate verification failed (${failure.code ?? 'unknown code'}); set cacert (OS_CACERT) to the CA bundle that signed the cloud's certificate`;
}

/** One connection pool per cloud, shared by Keystone and Nova, one deadline for every request. */
export class HttpTransport {
  readonly #http: JsonHttp;

  constructor(
    tls: TlsSettings,
    readonly timeoutMs: number,
  ) {
    this.#http = new JsonHttp(
      {
        isInsecure: tls.isInsecure,
        ...(tls.caCertificates === undefined ? {} : { caBundle: tls.caCertificates }),
      },
      timeoutMs,
    );
  }

  async send(call: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.#http.send(call);
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      // undici's error as the cause: the RequestFailure would only repeat what this message says.
      const message = `${call.method} ${call.url}: ${describeFailure(error)}`;
      throw new ConnectionFailure(call.method, call.url, error.mayHaveTakenEffect, message, {
        cause: error.cause,
      });
    }
  }

  async close(): Promise<void> {
    await this.#http.close();
  }
}
