import { describe, expect, it } from 'vitest';
import { corsHeaders, parseOrigin } from '../../../../apps/codec-server/codec-cors.ts';

const WEB_UI = 'http://127.0.0.1:8233';
const allowed = new Set([WEB_UI]);

describe("the codec server's CORS", () => {
  it('answers the Web UI’s preflight with its origin, the methods and the headers it sends', () => {
    expect(
      corsHeaders({ origin: WEB_UI, isPreflight: true, asksPrivateNetwork: false }, allowed),
    ).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': WEB_UI,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers':
        'Content-Type, X-Namespace, Authorization, Authorization-Extras',
      'access-control-max-age': '600',
    });
    expect(
      corsHeaders({ origin: WEB_UI, isPreflight: true, asksPrivateNetwork: true }, allowed),
    ).toMatchObject({ 'access-control-allow-private-network': 'true' });
    expect(
      corsHeaders({ origin: WEB_UI, isPreflight: false, asksPrivateNetwork: false }, allowed),
    ).toEqual({
      vary: 'Origin',
      'access-control-allow-origin': WEB_UI,
      'access-control-allow-credentials': 'true',
    });
  });

  it('refuses every other page, and lets the CLI (no Origin) through without CORS', () => {
    for (const origin of ['http://127.0.0.1:8234', 'http://localhost:8233', 'https://evil.example'])
      expect(
        corsHeaders({ origin, isPreflight: true, asksPrivateNetwork: false }, allowed),
      ).toBeUndefined();
    expect(
      corsHeaders({ origin: undefined, isPreflight: false, asksPrivateNetwork: false }, allowed),
    ).toEqual({ vary: 'Origin' });
  });

  it('takes origins as the browser sends them and refuses a wildcard or a path', () => {
    expect(parseOrigin('https://temporal-ui.example:8080/')).toEqual({
      origin: 'https://temporal-ui.example:8080',
    });
    expect(parseOrigin('*')).toEqual({
      problem: expect.stringContaining('any web page the operator opens') as unknown,
    });
    expect(parseOrigin('http://127.0.0.1:8233/namespaces')).toEqual({
      problem: expect.stringContaining(
        'is not an origin (scheme, host and port only, as http://127.0.0.1:8233 is)',
      ) as unknown,
    });
    expect(parseOrigin('127.0.0.1:8233')).toHaveProperty('problem');
  });
});
