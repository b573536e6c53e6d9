// Temporal's remote codec protocol over HTTP (docs/design.md#the-codec-server): POST /encode and
// POST /decode take `{"payloads": [...]}` and answer the same with each payload run through the
// codec, for the Temporal Web UI (from the operator's browser, hence CORS) and
// `temporal workflow show --codec-endpoint`. Bad input is refused with a 4xx and a JSON message that
// says what to fix; no payload content, header or token is ever logged.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { PayloadCodec } from '@temporalio/common';
import { PayloadDecryptionError } from '../../client/payload-encryption/aes-gcm-payload-codec.ts';
import type { NamedToken } from '../http/bearer-tokens.ts';
import { bearerNameOf } from '../http/bearer-tokens.ts';
import { errorLine, readJsonBody, RequestRefused, sendJson } from '../http/json-exchange.ts';
import type { ListenAddress, ListeningServer } from '../http/listen.ts';
import { listenOn } from '../http/listen.ts';
import { corsHeaders } from './codec-cors.ts';
import { payloadsFromJson, payloadsToJson } from './payload-json.ts';

export const CODEC_PATHS = { '/encode': 'encode', '/decode': 'decode' } as const;

// The Web UI decodes a history page at a time; one payload may be 2 MB (Temporal's default limit).
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const ALLOWED_METHODS = 'POST, OPTIONS';

export interface CodecServerOptions {
  codec: PayloadCodec;
  listen: ListenAddress;
  /** Web UI origins whose pages may call from a browser; requests from any other page are refused. */
  allowedOrigins: readonly string[];
  /** When given, every POST must carry one of these bearer tokens; its name is logged as who asked. */
  tokens?: readonly NamedToken[];
  /** One line per request answered: method, path, status, how many payloads, for whom. */
  log?: (line: string) => void;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  /** What the log says besides method, path and status. */
  note?: string;
}

export async function startCodecServer(options: CodecServerOptions): Promise<ListeningServer> {
  const allowedOrigins = new Set(options.allowedOrigins);
  const log = options.log ?? ((): void => undefined);

  async function handle(request: IncomingMessage): Promise<Answer> {
    const path = new URL(request.url ?? '/', 'http://codec-server').pathname;
    const operation = Object.hasOwn(CODEC_PATHS, path)
      ? CODEC_PATHS[path as keyof typeof CODEC_PATHS]
      : undefined;
    if (operation === undefined)
      throw new RequestRefused(
        404,
        `no such endpoint ${path}; this codec server answers POST /encode and POST /decode`,
      );
    if (request.method === 'OPTIONS') return { status: 204, headers: { allow: ALLOWED_METHODS } };
    if (request.method !== 'POST')
      throw new RequestRefused(405, `${path} takes POST only`, { allow: ALLOWED_METHODS });
    const operator =
      options.tokens === undefined
        ? undefined
        : bearerNameOf(request.headers.authorization, options.tokens);
    if (options.tokens !== undefined && operator === undefined)
      throw new RequestRefused(
        401,
        'missing or wrong bearer token; send "Authorization: Bearer <token>" with your token from the codec server\'s token file (temporal: --codec-auth "Bearer <token>")',
        { 'www-authenticate': 'Bearer realm="lazarus-codec"' },
      );
    const parsed = payloadsFromJson(
      await readJsonBody(request, MAX_BODY_BYTES, 'send fewer payloads per request'),
    );
    if ('problems' in parsed)
      throw new RequestRefused(
        400,
        `the body is not a codec request, nothing was ${operation}d:\n${parsed.problems.join('\n')}`,
      );
    let payloads;
    try {
      payloads = await options.codec[operation](parsed.payloads);
    } catch (error) {
      if (!(error instanceof PayloadDecryptionError)) throw error;
      throw new RequestRefused(422, error.message);
    }
    const namespace = printable(request.headers['x-namespace']);
    return {
      status: 200,
      body: payloadsToJson(payloads),
      note: `${payloads.length} payload${payloads.length === 1 ? '' : 's'}${namespace === undefined ? '' : ` of namespace ${namespace}`}${operator === undefined ? '' : ` for ${operator}`}`,
    };
  }

  function answer(request: IncomingMessage, response: ServerResponse, result: Answer): void {
    const cors = corsHeaders(
      {
        origin: request.headers.origin,
        isPreflight: request.method === 'OPTIONS',
        asksPrivateNetwork: request.headers['access-control-request-private-network'] === 'true',
      },
      allowedOrigins,
    );
    const headers = { ...cors, ...result.headers };
    if (result.body === undefined) {
      response.writeHead(result.status, headers);
      response.end();
    } else {
      sendJson(response, result.status, result.body, headers);
    }
    const note = result.note ?? (result.status >= 400 ? errorLine(result.body) : undefined);
    log(
      `${request.method ?? '?'} ${request.url ?? '?'} ${result.status}${note === undefined ? '' : ` ${note}`}`,
    );
  }

  const server = createServer((request, response) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      answer(request, response, {
        status: 403,
        body: {
          error: `pages from ${origin} may not use this codec server; if that is your Temporal Web UI, start it with --allow-origin ${origin}`,
        },
      });
      return;
    }
    handle(request).then(
      (result) => {
        answer(request, response, result);
      },
      (error: unknown) => {
        if (error instanceof RequestRefused) {
          answer(request, response, {
            status: error.status,
            body: { error: error.message },
            headers: error.headers,
          });
          return;
        }
        answer(request, response, {
          status: 500,
          body: {
            error: `the codec failed (${error instanceof Error ? error.message : String(error)}); see the codec server's log`,
          },
        });
      },
    );
  });
  return listenOn(server, options.listen);
}

/** A header fit for a log line, or undefined: no control characters, bounded length. */
function printable(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  return header.replace(/[^\w.\-/]/g, '?').slice(0, 100);
}
