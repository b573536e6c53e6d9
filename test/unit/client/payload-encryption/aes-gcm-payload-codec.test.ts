import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Payload } from '@temporalio/common';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadDecryptionError,
} from '../../../../client/payload-encryption/aes-gcm-payload-codec.ts';
import { keyFromBase64, PayloadKeys } from '../../../../client/payload-encryption/payload-keys.ts';

/** A fresh key as its file would hold it, and the key read from that text. */
function newKey(id: string): { id: string; text: string; key: PayloadKeys['active']['key'] } {
  const text = randomBytes(32).toString('base64');
  const read = keyFromBase64(`${text}\n`);
  if (!('key' in read)) throw new Error(read.problem);
  return { id, text, key: read.key };
}

const REPORT = { host: 'cmp-07', reporter: 'consul', reason: 'serfHealth critical for 90 s' };
const plain = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const textOf = (payload: Payload): string => Buffer.from(payload.data ?? []).toString('latin1');
const metadataOf = (payload: Payload, key: string): string =>
  Buffer.from(payload.metadata?.[key] ?? []).toString();
/** A payload as text, for comparing payloads whatever kind of byte array holds them. */
const asText = ({ metadata, data }: Payload): unknown => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString()]),
  ),
  data: Buffer.from(data ?? []).toString(),
});

async function decodeError(codec: AesGcmPayloadCodec, payload: Payload): Promise<Error> {
  return codec.decode([payload]).then(
    () => {
      throw new Error('decoded a payload that should not decode');
    },
    (error: unknown) => error as Error,
  );
}

describe('the AES-256-GCM payload codec', () => {
  const april = newKey('2026-04');
  const october = newKey('2026-10');
  const aprilOnly = new AesGcmPayloadCodec(new PayloadKeys(april.id, [april]));

  it('encrypts each payload whole, naming only the key, and decodes it back to the same payload', async () => {
    const original = plain(REPORT);
    const [encrypted] = await aprilOnly.encode([original]);
    expect(encrypted).toBeDefined();
    if (encrypted === undefined) return;
    expect(Object.keys(encrypted.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    expect(metadataOf(encrypted, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(metadataOf(encrypted, KEY_ID_METADATA)).toBe(april.id);
    // Neither the value nor its own metadata (json/plain) is readable in the stored payload.
    for (const visible of ['cmp-07', 'consul', 'serfHealth', 'json/plain'])
      expect(textOf(encrypted)).not.toContain(visible);
    const [decoded] = await aprilOnly.decode([encrypted]);
    expect(asText(decoded ?? {})).toEqual(asText(original));
    expect(defaultPayloadConverter.fromPayload(decoded ?? {})).toEqual(REPORT);
  });

  it('uses a fresh IV for every payload, so equal values encrypt differently', async () => {
    const [first, second] = await aprilOnly.encode([plain(REPORT), plain(REPORT)]);
    expect(Buffer.from(first?.data ?? []).subarray(0, 12)).not.toEqual(
      Buffer.from(second?.data ?? []).subarray(0, 12),
    );
    expect(textOf(first ?? {})).not.toBe(textOf(second ?? {}));
  });

  it('refuses a payload changed after encryption, naming its key', async () => {
    const [encrypted] = await aprilOnly.encode([plain(REPORT)]);
    const data = Buffer.from(encrypted?.data ?? []);
    for (const position of [0, 20, data.length - 1]) {
      const altered = Buffer.from(data);
      altered[position] = (altered[position] ?? 0) ^ 0x01;
      const error = await decodeError(aprilOnly, { ...encrypted, data: altered });
      expect(error).toBeInstanceOf(PayloadDecryptionError);
      expect(error.message).toMatch(/encrypted with key 2026-04 fails its integrity check/);
    }
    const cut = await decodeError(aprilOnly, { ...encrypted, data: data.subarray(0, 20) });
    expect(cut.message).toMatch(/shorter than any AES-256-GCM payload/);
  });

  it('refuses a payload relabelled with another configured key', async () => {
    const both = new AesGcmPayloadCodec(new PayloadKeys(october.id, [april, october]));
    const [encrypted] = await both.encode([plain(REPORT)]);
    const relabelled = {
      ...encrypted,
      metadata: { ...encrypted?.metadata, [KEY_ID_METADATA]: Buffer.from(april.id) },
    };
    expect((await decodeError(both, relabelled)).message).toMatch(
      /key 2026-04 fails its integrity check/,
    );
  });

  it('names the unknown key of a payload, and never a key', async () => {
    const [encrypted] = await aprilOnly.encode([plain(REPORT)]);
    const octoberOnly = new AesGcmPayloadCodec(new PayloadKeys(october.id, [october]));
    const error = await decodeError(octoberOnly, encrypted ?? {});
    expect(error).toMatchObject({ name: 'PayloadDecryptionError', keyId: '2026-04' });
    expect(error.message).toContain(
      'a payload is encrypted with key 2026-04, which is not among the configured keys (2026-10)',
    );
    for (const shown of [
      error.message,
      inspect(error),
      inspect(octoberOnly),
      JSON.stringify(octoberOnly),
    ]) {
      expect(shown).not.toContain(april.text);
      expect(shown).not.toContain(october.text);
    }
  });

  it('after a rotation, still decodes what the old key encrypted and encrypts with the new one', async () => {
    const [written] = await aprilOnly.encode([plain(REPORT)]);
    const rotated = new AesGcmPayloadCodec(new PayloadKeys(october.id, [october, april]));
    const [readBack] = await rotated.decode([written ?? {}]);
    expect(defaultPayloadConverter.fromPayload(readBack ?? {})).toEqual(REPORT);
    const [fresh] = await rotated.encode([plain(REPORT)]);
    expect(metadataOf(fresh ?? {}, KEY_ID_METADATA)).toBe('2026-10');
    expect((await decodeError(aprilOnly, fresh ?? {})).message).toMatch(
      /key 2026-10, which is not/,
    );
  });

  it('passes payloads that are not encrypted through decode unchanged (histories from before encryption)', async () => {
    const original = plain(REPORT);
    expect(await aprilOnly.decode([original])).toEqual([original]);
  });
});
