// The payload codec Lazarus's clients and workers share when lazarus.yaml turns payload encryption
// on (docs/design.md#encrypted-payloads). Each payload is encrypted whole, its metadata with its
// data (serialized as the protobuf Payload), with AES-256-GCM under a fresh random 12-byte IV, so
// the stored payload says nothing but "encrypted, with key K". GCM's tag makes any change to a
// stored payload fail its decryption rather than decode to something else.
// Codecs run outside the workflow sandbox, in the SDK's conversion of what crosses the wire, so
// workflow code is the same with and without encryption.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKeys } from './payload-keys.ts';

/** The outer payload's `encoding`: what the SDK and the Web UI show for a payload they cannot read. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The outer payload's metadata naming the key that encrypted it (an ID, never key material). */
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
// 96-bit IVs are GCM's native size; random ones are safe for far more payloads than a deployment
// writes under one key (docs/design.md#encrypted-payloads: how many, and when to rotate).
const IV_BYTES = 12;
const TAG_BYTES = 16;

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const text = new TextEncoder();
const untext = new TextDecoder();

/** A payload that claims to be encrypted but cannot be decrypted here; the message names the key ID. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';

  constructor(
    message: string,
    /** The key ID the payload names, when it names one. */
    readonly keyId: string | undefined,
  ) {
    super(message);
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && untext.decode(encoding) === ENCRYPTED_ENCODING;
}

/** The key ID an encrypted payload names, or undefined. */
export function keyIdOf(payload: Payload): string | undefined {
  const id = payload.metadata?.[KEY_ID_METADATA];
  return id === undefined ? undefined : untext.decode(id);
}

export class AesGcmPayloadCodec implements PayloadCodec {
  readonly #keys: PayloadKeys;

  constructor(keys: PayloadKeys) {
    this.#keys = keys;
  }

  // node:crypto's AES is synchronous; the work runs in a promise's executor so that a payload that
  // cannot be decrypted rejects the promise, as callers of a PayloadCodec expect, instead of throwing.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => {
      resolve(payloads.map((payload) => this.#encrypt(payload)));
    });
  }

  /**
   * Payloads that are not encrypted pass unchanged: histories written before encryption was turned
   * on, and values sent by tools without the codec, stay readable.
   */
  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => {
      resolve(payloads.map((payload) => (isEncrypted(payload) ? this.#decrypt(payload) : payload)));
    });
  }

  #encrypt(payload: Payload): Payload {
    const { id, key } = this.#keys.active;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv);
    const plaintext = PayloadMessage.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: text.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: text.encode(id),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  #decrypt(payload: Payload): Payload {
    const id = keyIdOf(payload);
    if (id === undefined)
      throw new PayloadDecryptionError(
        `an encrypted payload names no key (its metadata has no ${KEY_ID_METADATA}); it was not written by Lazarus's codec`,
        undefined,
      );
    const key = this.#keys.find(id);
    if (key === undefined)
      throw new PayloadDecryptionError(
        `a payload is encrypted with key ${id}, which is not among the configured keys (${this.#keys.ids.join(', ')}); ` +
          `add key ${id} back to temporal.payloadEncryption.keys: a retired key is needed as long as histories written with it are kept`,
        id,
      );
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptionError(
        `a payload encrypted with key ${id} is ${data.length} bytes long, shorter than any AES-256-GCM payload; it was cut or altered after encryption`,
        id,
      );
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `a payload encrypted with key ${id} fails its integrity check: it was altered after encryption, ` +
          `or the file configured for key ${id} holds another key than the one that encrypted it`,
        id,
      );
    }
    return PayloadMessage.decode(plaintext);
  }
}
