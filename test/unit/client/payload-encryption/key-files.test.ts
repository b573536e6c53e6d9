// temporal.payloadEncryption in lazarus.yaml: validated like every other section, then its key
// files read; every problem names its field and what to do, and none quotes a key.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LazarusError } from '../../../../activities/errors.ts';
import { loadConfig } from '../../../../config/load-config.ts';
import {
  dataConverterOf,
  payloadEncryptionNotice,
} from '../../../../client/payload-encryption/data-converter.ts';
import { keyFromBase64 } from '../../../../client/payload-encryption/payload-keys.ts';

describe('payload encryption in lazarus.yaml', () => {
  let directory: string;
  let configs = 0;
  const keyText = randomBytes(32).toString('base64');
  const otherKeyText = randomBytes(32).toString('base64');
  const fileOf = (name: string): string => join(directory, name);

  async function configWith(encryption: string): Promise<string> {
    configs += 1;
    const path = fileOf(`lazarus-${configs}.yaml`);
    await writeFile(path, `temporal:\n  payloadEncryption:\n${encryption}`);
    return path;
  }

  async function problemOf(encryption: string): Promise<string> {
    const failure = await loadConfig({ path: await configWith(encryption), env: {} })
      .then(dataConverterOf)
      .then(
        () => undefined,
        (error: unknown) => error as LazarusError,
      );
    expect(failure?.type).toBe('ConfigurationInvalid');
    return failure?.message ?? '';
  }

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-payload-keys-'));
    await writeFile(fileOf('2026-04.key'), `${keyText}\n`);
    await writeFile(fileOf('2026-10.key'), otherKeyText);
    await writeFile(fileOf('copy-of-2026-04.key'), keyText);
    await writeFile(fileOf('short.key'), randomBytes(16).toString('base64'));
    await writeFile(fileOf('hex.key'), randomBytes(32).toString('hex'));
    await writeFile(fileOf('raw.key'), Buffer.concat([Buffer.from([0, 0xff]), randomBytes(30)]));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('is off by default, and existing files load as before', async () => {
    configs += 1;
    const path = fileOf(`lazarus-${configs}.yaml`);
    await writeFile(path, 'temporal:\n  taskQueue: lazarus\n');
    const config = await loadConfig({ path, env: {} });
    expect(config.temporal.payloadEncryption).toBeUndefined();
    expect(await dataConverterOf(config)).toEqual({});
    expect(payloadEncryptionNotice(config)).toMatch(/^payloads are not encrypted/);
  });

  it('builds the codec from the key files, the active key encrypting', async () => {
    const config = await loadConfig({
      path: await configWith(
        `    activeKey: 2026-10\n    keys:\n      - { id: 2026-04, file: ${fileOf('2026-04.key')} }\n      - { id: 2026-10, file: ${fileOf('2026-10.key')} }\n`,
      ),
      env: {},
    });
    expect((await dataConverterOf(config)).payloadCodecs).toHaveLength(1);
    expect(payloadEncryptionNotice(config)).toBe(
      'payloads are encrypted with key 2026-10; keys 2026-04 still decrypt',
    );
  });

  it('refuses an active key that is not among the keys, a repeated ID and an ID unfit for metadata', async () => {
    const message = await problemOf(
      `    activeKey: 2027-01\n    keys:\n      - { id: 2026-04, file: a }\n      - { id: 2026-04, file: b }\n      - { id: "key one", file: c }\n`,
    );
    expect(message).toContain(
      'temporal.payloadEncryption.activeKey: names key 2027-01, which is not among keys (2026-04, 2026-04, key one); add it to keys with its file, or name one of those',
    );
    expect(message).toContain('temporal.payloadEncryption.keys[1].id: repeats key ID 2026-04');
    expect(message).toContain('temporal.payloadEncryption.keys[2].id: must be a key ID');
    expect(await problemOf('    activeKey: a\n    keys: []\n')).toContain(
      'temporal.payloadEncryption.keys: is empty',
    );
    expect(
      await problemOf('    activeKey: a\n    keys:\n      - { id: a, key: secret }\n'),
    ).toMatch(/keys\[0\]: has unknown field key/);
  });

  it('reports every wrong key file at once, by field, without quoting any of them', async () => {
    const keys = ['missing', 'short', 'hex', 'raw', 'copy-of-2026-04'];
    const message = await problemOf(
      `    activeKey: 2026-04\n    keys:\n      - { id: 2026-04, file: ${fileOf('2026-04.key')} }\n${keys.map((name) => `      - { id: ${name}, file: ${fileOf(`${name}.key`)} }\n`).join('')}`,
    );
    const lines = message.split('\n').slice(1);
    expect(lines).toEqual([
      expect.stringMatching(
        /^ {2}temporal\.payloadEncryption\.keys\[1\]\.file: .*missing\.key \(key missing\) does not exist; write the key there \(a key is 32 random bytes written as base64 text, e\.g\. made with: openssl rand -base64 32\), readable only by Lazarus \(chmod 600\)$/,
      ),
      expect.stringMatching(
        /keys\[2\]\.file: .*short\.key \(key short\) holds 16 bytes once base64-decoded, not 32;/,
      ),
      expect.stringMatching(
        /keys\[3\]\.file: .*hex\.key \(key hex\) holds 32 bytes as hex text; write them as base64/,
      ),
      expect.stringMatching(
        /keys\[4\]\.file: .*raw\.key \(key raw\) holds binary data, not base64 text/,
      ),
      expect.stringMatching(
        /keys\[5\]\.file: .*copy-of-2026-04\.key \(key copy-of-2026-04\) holds the same key as key 2026-04; a rotation needs a new key/,
      ),
    ] as unknown[]);
    expect(message).not.toContain(keyText);
  });

  it('reads a key as base64 text of 32 bytes, white space around it ignored', () => {
    expect(keyFromBase64(`  ${keyText}\r\n`)).toHaveProperty('key');
    expect(keyFromBase64('')).toEqual({ problem: expect.stringMatching(/^is empty;/) as unknown });
    expect(keyFromBase64('not a key!')).toEqual({
      problem: expect.stringMatching(/^is not base64 text;/) as unknown,
    });
  });
});
