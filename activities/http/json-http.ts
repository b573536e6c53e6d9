// JSON over HTTP(S) with undici, beneath the Keystone/Nova transport and the Redfish client: one
// connection pool per peer, certificates verified unless the operator explicitly switched that
// off, a deadline on every request, and every broken exchange classified the same way.
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'undici';
import type { FailureKind } from './connection-failures.ts';
import { classifyFailure } from './connection-failures.ts';

export type JsonMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface TlsSettings {
  /** PEM text of the CAs to trust instead of the system's. */
  caBundle?: string;
  /** Skips certificate verification altogether; only ever set from explicit configuration. */
  isInsecure: boolean;
}

export interface JsonRequest {
  method: JsonMethod;
  url: string | URL;
  headers?: Record<string, string>;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Epoch ms at which the request is abandoned even if its deadline is later (an activity attempt's end). */
  abortAt?: number;
  /** Abandons the request when it aborts, whatever the time (an activity attempt the server may no longer count on). */
  signal?: AbortSignal;
}

export interface JsonResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** The exchange broke, or the deadline passed, before a complete answer arrived. */
export class RequestFailure extends Error {
  override readonly name = 'RequestFailure';

  constructor(
    readonly kind: FailureKind,
    /** The most specific error code, e.g. ECONNREFUSED or CERT_HAS_EXPIRED. */
    readonly code: string | undefined,
    /** False only when the request provably never reached the server. */
    readonly mayHaveTakenEffect: boolean,
    /** The request's deadline, for saying how long was waited. */
    readonly deadlineMs: number,
    // The URL and headers stay out of the message: callers word it, and headers carry credentials.
    options: ErrorOptions & { cause: unknown },
  ) {
    super(
      kind === 'deadline'
        ? `no complete answer within ${deadlineMs} ms`
        : describe(options.cause, code),
      options,
    );
  }
}

export class JsonHttp {
  readonly #agent: Agent;

  constructor(
    tls: TlsSettings,
    readonly deadlineMs: number,
  ) {
    this.#agent = new Agent({
      connect: {
        rejectUnauthorized: !tls.isInsecure,
        ...(tls.caBundle === undefined ? {} : { ca: tls.caBundle }),
      },
    });
  }

  get isClosed(): boolean {
    return this.#agent.closed;
  }

  /** The answer, whatever its status; rejects with RequestFailure when there was none in time. */
  async send(call: JsonRequest): Promise<JsonResponse> {
    // Serialised before the try: a body that is not JSON is a bug here, not a network failure.
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const deadlineMs =
      call.abortAt === undefined
        ? this.deadlineMs
        : Math.max(0, Math.min(this.deadlineMs, call.abortAt - Date.now()));
    try {
      const response = await request(call.url, {
        dispatcher: this.#agent,
        method: call.method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
        ...(body === undefined ? {} : { body }),
        // Covers the body too: a server that stalls mid-answer is cut off at the same deadline.
        signal:
          call.signal === undefined
            ? AbortSignal.timeout(deadlineMs)
            : AbortSignal.any([AbortSignal.timeout(deadlineMs), call.signal]),
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, body: parseJson(text) };
    } catch (error) {
      const { kind, code, mayHaveTakenEffect } = classifyFailure(error);
      throw new RequestFailure(kind, code, mayHaveTakenEffect, deadlineMs, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function describe(error: unknown, code: string | undefined): string {
  const reason = error instanceof Error ? error.message : String(error);
  return code === undefined ? reason : `${reason} (${code})`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
