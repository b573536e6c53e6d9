// JSON over HTTP for Lazarus's servers: a refusal that carries its status and its message (which
// the client reads as `{"error": …}`), and a request body read as JSON within a size limit.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request answered with a 4xx and a message that says what to fix; never a stack trace. */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(`${JSON.stringify(body)}\n`);
}

/** The first line of a refusal, for a one-line log. */
export function errorLine(body: unknown): string {
  const { error } = body as { error?: unknown };
  return typeof error === 'string' ? error.split('\n').join('; ') : '';
}

/**
 * The body as JSON; refused with 415 unless sent as application/json, 413 past `maxBytes` (with
 * `tooLargeHint` saying how to send less) and 400 when it does not parse.
 */
export async function readJsonBody(
  request: IncomingMessage,
  maxBytes: number,
  tooLargeHint: string,
): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new RequestRefused(
      415,
      `the body must be JSON with Content-Type: application/json (got ${type === '' ? 'none' : type})`,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new RequestRefused(413, `the body is larger than ${maxBytes} bytes; ${tooLargeHint}`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new RequestRefused(
      400,
      `the body is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
