// The one place that decides what a failed HTTP exchange means: whether it was the deadline, an
// untrusted certificate, a connection that was never made, or one that broke midway. Keystone,
// Nova and the Redfish BMCs all go through it, so a code learned for one is known to all.

/**
 * - `deadline`: the request's deadline passed before a complete answer arrived.
 * - `untrusted-certificate`: the server's certificate does not chain to a trusted CA, has
 *   expired, or does not name the host; nothing was sent, and only configuration fixes it.
 * - `not-sent`: no connection was made (refused, no route, no such name, connect timeout).
 * - `broken`: the connection broke after the request may have left.
 */
export type FailureKind = 'deadline' | 'untrusted-certificate' | 'not-sent' | 'broken';

export interface FailureClass {
  kind: FailureKind;
  /** The most specific error code on the cause chain (e.g. ECONNRESET), when there is one. */
  code: string | undefined;
  /**
   * False only when the request provably never reached the server. A request whose answer was
   * lost after it left may have been carried out: an evacuate must then not be sent again.
   */
  mayHaveTakenEffect: boolean;
}

// Node's codes for a certificate the TLS handshake refused; the handshake precedes the request.
const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

// Raised before a connection existed, so before any byte of the request left.
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The first string `code` along the cause chain, passing over undici's UND_ERR_SOCKET*: those
 * only say that the socket failed, and the error they wrap (if any) says how.
 */
export function errorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (
    let current = error;
    typeof current === 'object' && current !== null && !seen.has(current);
    current = (current as { cause?: unknown }).cause
  ) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR_SOCKET')) return code;
  }
  return undefined;
}

/** What an error thrown while sending a request, or while reading its answer, means. */
export function classifyFailure(error: unknown): FailureClass {
  // AbortSignal.timeout aborts with a DOMException named TimeoutError (its `code` is a number).
  if (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'TimeoutError'
  ) {
    return { kind: 'deadline', code: undefined, mayHaveTakenEffect: true };
  }
  const code = errorCode(error);
  if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code))
    return { kind: 'untrusted-certificate', code, mayHaveTakenEffect: false };
  if (code !== undefined && NOT_SENT_CODES.has(code))
    return { kind: 'not-sent', code, mayHaveTakenEffect: false };
  return { kind: 'broken', code, mayHaveTakenEffect: true };
}
