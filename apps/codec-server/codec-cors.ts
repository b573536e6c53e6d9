// Which web pages may call the codec server from a browser: the Temporal Web UI's origins, named
// one by one (--allow-origin). The Web UI calls /decode from the operator's browser with
// Content-Type: application/json and an X-Namespace header, so every call is preceded by a CORS
// preflight (OPTIONS) that carries no credentials (docs/design.md#the-codec-server).

/** Request headers the Web UI sends: its JSON body, the namespace, and with OIDC its tokens. */
const CODEC_REQUEST_HEADERS = 'Content-Type, X-Namespace, Authorization, Authorization-Extras';
// Browsers cache a preflight's answer this long (Chromium caps it at 2 hours).
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * `text` as an origin (`http://127.0.0.1:8233`: scheme, host and port only), or why it is not one.
 * A wildcard is refused: any page the operator opens could then read decrypted payloads.
 */
export function parseOrigin(text: string): { origin: string } | { problem: string } {
  if (text.trim() === '*')
    return {
      problem:
        'is "*", which would let any web page the operator opens read decrypted payloads; name the Web UI, e.g. https://temporal-ui.example:8080',
    };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      problem: 'is not a URL; give the Web UI as its browser shows it, e.g. http://127.0.0.1:8233',
    };
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.origin !== text.replace(/\/$/, '')
  )
    return {
      problem: `is not an origin (scheme, host and port only, as ${url.origin} is); e.g. http://127.0.0.1:8233`,
    };
  return { origin: url.origin };
}

export interface CorsRequest {
  /** The Origin header: absent from the Temporal CLI and scripts, present from a browser. */
  origin: string | undefined;
  isPreflight: boolean;
  /** Chromium asks before a public page calls a private address (Private Network Access). */
  asksPrivateNetwork: boolean;
}

/**
 * The CORS headers of the answer, or undefined when the request comes from a page that may not
 * call the codec server (it is refused, so no other site can make the operator's browser decrypt).
 */
export function corsHeaders(
  request: CorsRequest,
  allowedOrigins: ReadonlySet<string>,
): Record<string, string> | undefined {
  // Vary always: a cache between browser and server must not hand one origin's answer to another.
  if (request.origin === undefined) return { vary: 'Origin' };
  if (!allowedOrigins.has(request.origin)) return undefined;
  const headers: Record<string, string> = {
    vary: 'Origin',
    'access-control-allow-origin': request.origin,
    // The Web UI's "include cross-origin credentials" sends the cookies of a login in front of
    // the codec server; browsers pass them only with this header and the exact origin, never *.
    'access-control-allow-credentials': 'true',
  };
  if (!request.isPreflight) return headers;
  return {
    ...headers,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': CODEC_REQUEST_HEADERS,
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    ...(request.asksPrivateNetwork ? { 'access-control-allow-private-network': 'true' } : {}),
  };
}
