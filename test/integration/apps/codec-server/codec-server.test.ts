// `lazarus codec-server` in its own process, over real HTTP: Temporal's remote codec protocol
// (POST /encode, POST /decode of proto3 JSON payloads), the Web UI's CORS preflight, operators'
// bearer tokens, and a clear JSON refusal for every bad request; no payload, token or key in its log.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmPayloadCodec } from '../../../../client/payload-encryption/aes-gcm-payload-codec.ts';
import { keyFromBase64, PayloadKeys } from '../../../../client/payload-encryption/payload-keys.ts';
import { payloadsToJson } from '../../../../apps/codec-server/payload-json.ts';
import { stopGracefully } from '../../../support/child-output.ts';
import { runLazarus } from '../../../support/lazarus-cli.ts';
import type { CodecServerProcess, EncryptionSetup } from '../../../support/payload-encryption.ts';
import {
  startCodecServerProcess,
  writeEncryptionConfig,
} from '../../../support/payload-encryption.ts';

const WEB_UI = 'http://127.0.0.1:8233';
const ALICE = 'alice-codec-token-0123456789abcdef';
const BOB = 'bob-codec-token-0123456789abcdef';
const SECRET = 'instance vm-00042 of tenant acme, reported by consul-dc7';

const base64 = (text: string): string => Buffer.from(text).toString('base64');
const jsonPayload = (value: unknown) => ({
  metadata: { encoding: base64('json/plain') },
  data: base64(JSON.stringify(value)),
});

interface Reply {
  status: number;
  headers: Headers;
  body: { payloads?: { metadata: Record<string, string>; data: string }[]; error?: string };
}

describe('lazarus codec-server', () => {
  let directory: string;
  let setup: EncryptionSetup;
  let server: CodecServerProcess;

  async function call(
    path: string,
    options: {
      method?: string;
      token?: string | undefined;
      origin?: string;
      body?: unknown;
      raw?: string;
      type?: string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> {
    const response = await fetch(`${server.url}${path}`, {
      method: options.method ?? 'POST',
      headers: {
        'content-type': options.type ?? 'application/json',
        'x-namespace': 'default',
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.origin === undefined ? {} : { origin: options.origin }),
        ...options.headers,
      },
      ...(options.method === 'GET' || options.method === 'OPTIONS'
        ? {}
        : { body: options.raw ?? JSON.stringify(options.body ?? {}) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? {} : (JSON.parse(text) as Reply['body']),
    };
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-codec-server-'));
    setup = await writeEncryptionConfig(directory, 'lazarus', {
      activeKey: '2026-10',
      keyIds: ['2026-04', '2026-10'],
    });
    await writeFile(join(directory, 'operators'), `# on call\nalice:${ALICE}\nbob:${BOB}\n`, {
      mode: 0o600,
    });
    server = await startCodecServerProcess([
      '--config',
      setup.config,
      '--token-file',
      join(directory, 'operators'),
      '--allow-origin',
      WEB_UI,
    ]);
  });
  afterAll(async () => {
    server.child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
  });

  it('encodes with the active key and decodes back to the same payloads, logging who and how many only', async () => {
    const payloads = [jsonPayload({ reason: SECRET }), jsonPayload('cmp-07')];
    const encoded = await call('/encode', { token: ALICE, body: { payloads } });
    expect(encoded.status).toBe(200);
    expect(encoded.body.payloads).toHaveLength(2);
    for (const payload of encoded.body.payloads ?? []) {
      expect(payload.metadata).toEqual({
        encoding: base64('binary/encrypted'),
        'encryption-key-id': base64('2026-10'),
      });
      expect(Buffer.from(payload.data, 'base64').toString('latin1')).not.toContain('vm-00042');
    }
    const decoded = await call('/decode', { token: BOB, body: encoded.body });
    expect(decoded).toMatchObject({ status: 200, body: { payloads } });
    await expect
      .poll(() => server.output())
      .toMatch(/POST \/encode 200 2 payloads of namespace default for alice/);
    await expect
      .poll(() => server.output())
      .toMatch(/POST \/decode 200 2 payloads of namespace default for bob/);
  });

  it('decodes what the retired key encrypted, and names a key it does not hold', async () => {
    const sealWith = async (id: string, text: string) => {
      const read = keyFromBase64(text);
      if (!('key' in read)) throw new Error(read.problem);
      const codec = new AesGcmPayloadCodec(new PayloadKeys(id, [{ id, key: read.key }]));
      const plain = {
        metadata: { encoding: Buffer.from('json/plain') },
        data: Buffer.from('"old"'),
      };
      return payloadsToJson(await codec.encode([plain]));
    };
    const retired = await call('/decode', {
      token: ALICE,
      body: await sealWith('2026-04', setup.keyTexts['2026-04'] ?? ''),
    });
    expect(retired).toMatchObject({ status: 200, body: { payloads: [jsonPayload('old')] } });

    const unknown = await call('/decode', {
      token: ALICE,
      body: await sealWith('2025-10', randomBytes(32).toString('base64')),
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatch(
      /^a payload is encrypted with key 2025-10, which is not among the configured keys \(2026-04, 2026-10\)/,
    );
  });

  it('answers the Web UI’s preflight without a token, and refuses any other page', async () => {
    const preflight = await call('/decode', {
      method: 'OPTIONS',
      origin: WEB_UI,
      headers: {
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': WEB_UI,
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers':
        'Content-Type, X-Namespace, Authorization, Authorization-Extras',
    });
    const fromUi = await call('/decode', { origin: WEB_UI, token: ALICE, body: { payloads: [] } });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(WEB_UI);

    const elsewhere = await call('/decode', {
      method: 'OPTIONS',
      origin: 'https://evil.example',
      headers: { 'access-control-request-method': 'POST' },
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    const posted = await call('/decode', {
      origin: 'http://127.0.0.1:8234',
      token: ALICE,
      body: { payloads: [] },
    });
    expect(posted).toMatchObject({
      status: 403,
      body: {
        error:
          'pages from http://127.0.0.1:8234 may not use this codec server; if that is your Temporal Web UI, start it with --allow-origin http://127.0.0.1:8234',
      },
    });
  });

  it('refuses a request without a valid bearer token before reading it', async () => {
    for (const token of [undefined, `${ALICE}x`, 'short']) {
      const refused = await call('/decode', { token, body: { payloads: [] } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="lazarus-codec"');
      expect(refused.body.error).toMatch(/^missing or wrong bearer token;/);
    }
  });

  it('refuses bad input with a 4xx and a JSON message that says what to fix, never a stack trace', async () => {
    const answers = await Promise.all([
      call('/decode', { token: ALICE, raw: '{"payloads": [' }),
      call('/decode', { token: ALICE, body: { payloads: [{ data: 'not base64!' }] } }),
      call('/decode', { token: ALICE, body: { payload: [] } }),
      call('/decode', { token: ALICE, raw: '{}', type: 'text/plain' }),
      call('/decode', { token: ALICE, method: 'GET' }),
      call('/v1/decode', { token: ALICE, body: { payloads: [] } }),
    ]);
    expect(answers.map(({ status, body }) => [status, body.error])).toEqual([
      [400, expect.stringMatching(/^the body is not valid JSON \(/)],
      [
        400,
        'the body is not a codec request, nothing was decoded:\npayloads[0].data: must be base64 text',
      ],
      [
        400,
        'the body is not a codec request, nothing was decoded:\npayloads: must be a list of payloads',
      ],
      [415, 'the body must be JSON with Content-Type: application/json (got text/plain)'],
      [405, '/decode takes POST only'],
      [404, 'no such endpoint /v1/decode; this codec server answers POST /encode and POST /decode'],
    ] as unknown[]);
    for (const { body } of answers) expect(body.error).not.toMatch(/\n\s+at /);
  });

  it('never logs a payload, a token or a key, and stops on SIGTERM', async () => {
    const output = server.output();
    expect(output).toMatch(
      /keys 2026-04, 2026-10 \(active\); browser origins: http:\/\/127\.0\.0\.1:8233; bearer token: required \(2 operators\)/,
    );
    for (const secret of [
      ALICE,
      BOB,
      SECRET,
      ...Object.values(setup.keyTexts),
      base64(JSON.stringify({ reason: SECRET })),
    ])
      expect(output).not.toContain(secret);
    const stopping = await startCodecServerProcess(['--config', setup.config]);
    expect(await stopGracefully(stopping.child, /^lazarus codec-server: stopped$/m)).toBe(0);
  });

  it('refuses to start without payload encryption, with a wrong key file or a wildcard origin, in one line each', async () => {
    const plainConfig = join(directory, 'plain.yaml');
    await writeFile(plainConfig, 'temporal:\n  taskQueue: lazarus\n');
    await writeFile(join(directory, 'short.key'), randomBytes(16).toString('base64'));
    const brokenConfig = join(directory, 'broken.yaml');
    await writeFile(
      brokenConfig,
      `temporal:\n  payloadEncryption:\n    activeKey: a\n    keys:\n      - { id: a, file: ${join(directory, 'short.key')} }\n`,
    );
    // Each its own process, run side by side.
    const [off, broken, wildcard] = await Promise.all([
      runLazarus(['codec-server', '--config', plainConfig], {}),
      runLazarus(['codec-server', '--config', brokenConfig], {}),
      runLazarus(['codec-server', '--config', setup.config, '--allow-origin', '*'], {}),
    ]);
    expect(off).toMatchObject({ status: 1, stdout: '' });
    expect(off.stderr).toBe(
      `lazarus codec-server: configuration ${plainConfig} does not turn payload encryption on, so there is nothing to decode; add temporal.payloadEncryption (config/README.md), or name the file that has it with --config\n`,
    );
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(
      `temporal.payloadEncryption.keys[0].file: ${join(directory, 'short.key')} (key a) holds 16 bytes once base64-decoded, not 32`,
    );
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(wildcard.status).toBe(2);
    expect(wildcard.stderr).toMatch(
      /^lazarus codec-server: --allow-origin \* is "\*", which would let any web page/,
    );
  });
});
