// The one classification of broken HTTP exchanges. What matters most is `mayHaveTakenEffect`: an
// evacuate whose answer was lost must be reported as unknown, never resent, while a request that
// provably never left may be retried. Real undici failures are produced against a local server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFailure, errorCode } from '../../../../activities/http/connection-failures.ts';
import { JsonHttp, RequestFailure } from '../../../../activities/http/json-http.ts';

function coded(code: string, cause?: unknown): Error {
  return Object.assign(new Error(`failed with ${code}`, cause === undefined ? {} : { cause }), {
    code,
  });
}

describe('classifyFailure', () => {
  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'CERT_UNTRUSTED',
    'CERT_HAS_EXPIRED',
    'CERT_NOT_YET_VALID',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ])('takes %s for an untrusted certificate, refused before the request left', (code) => {
    expect(classifyFailure(coded(code))).toEqual({
      kind: 'untrusted-certificate',
      code,
      mayHaveTakenEffect: false,
    });
  });

  it.each([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_CONNECT_TIMEOUT',
  ])('takes %s for a request never sent', (code) => {
    expect(classifyFailure(coded(code))).toEqual({
      kind: 'not-sent',
      code,
      mayHaveTakenEffect: false,
    });
  });

  it.each(['ECONNRESET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_ABORTED'])(
    'takes %s for a request that may have taken effect',
    (code) => {
      expect(classifyFailure(coded(code))).toEqual({
        kind: 'broken',
        code,
        mayHaveTakenEffect: true,
      });
    },
  );

  it('takes an error without any code for one that may have taken effect', () => {
    expect(classifyFailure(new Error('other side closed'))).toEqual({
      kind: 'broken',
      code: undefined,
      mayHaveTakenEffect: true,
    });
    expect(classifyFailure('a string')).toEqual({
      kind: 'broken',
      code: undefined,
      mayHaveTakenEffect: true,
    });
  });

  it('takes the deadline for one that may have taken effect, though its DOMException has a numeric code', () => {
    const deadline = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(classifyFailure(deadline)).toEqual({
      kind: 'deadline',
      code: undefined,
      mayHaveTakenEffect: true,
    });
  });

  it('looks through wrappers and undici socket errors to the code that says what happened', () => {
    expect(
      classifyFailure(new TypeError('fetch failed', { cause: coded('ECONNREFUSED') })),
    ).toMatchObject({ kind: 'not-sent', code: 'ECONNREFUSED' });
    expect(errorCode(coded('UND_ERR_SOCKET', coded('ECONNRESET')))).toBe('ECONNRESET');
    expect(errorCode(coded('UND_ERR_SOCKET'))).toBeUndefined();
    expect(errorCode({ cause: { code: 'ENOTFOUND' } })).toBe('ENOTFOUND');
  });

  it('ends on a cause chain that loops', () => {
    const looped: Error & { cause?: unknown } = new Error('loop');
    looped.cause = new Error('back', { cause: looped });
    expect(errorCode(looped)).toBeUndefined();
  });
});

describe('JsonHttp failures from undici itself', () => {
  let base = '';
  let closedPort = 0;
  const server = createServer((request, response) => {
    if (request.url === '/drop') request.socket.destroy();
    else if (request.url === '/json')
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    // Any other path never answers, so the deadline decides.
  });
  const http = new JsonHttp({ isInsecure: false }, 300);

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
  });
  afterAll(async () => {
    await http.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function failureOf(url: string): Promise<RequestFailure> {
    const error: unknown = await http.send({ method: 'POST', url, body: { evacuate: {} } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RequestFailure);
    return error as RequestFailure;
  }

  it('parses a JSON answer', async () => {
    expect(await http.send({ method: 'GET', url: `${base}/json` })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
  });

  it('says a refused connection never carried the request', async () => {
    expect(await failureOf(`http://127.0.0.1:${closedPort}/`)).toMatchObject({
      kind: 'not-sent',
      code: 'ECONNREFUSED',
      mayHaveTakenEffect: false,
    });
  });

  it('says a request the server read before hanging up may have taken effect', async () => {
    expect(await failureOf(`${base}/drop`)).toMatchObject({
      kind: 'broken',
      mayHaveTakenEffect: true,
    });
  });

  it('aborts at the deadline and says the request may have taken effect', async () => {
    const failure = await failureOf(`${base}/silent`);
    expect(failure).toMatchObject({
      kind: 'deadline',
      mayHaveTakenEffect: true,
      message: 'no complete answer within 300 ms',
    });
  });
});
