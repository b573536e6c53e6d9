// The keys payloads are encrypted with (docs/design.md#encrypted-payloads). One key is active and
// encrypts every new payload; every key listed decrypts what it once encrypted, so a rotation
// leaves the histories written before it readable. Keys are held as node:crypto KeyObjects, which
// print and serialize as `SecretKeyObject { type: 'secret' }` and `{}`, never as their bytes.
import { createSecretKey, type KeyObject } from 'node:crypto';

/** AES-256 takes a 32-byte key. */
export const KEY_BYTES = 32;

export const GENERATE_KEY_HINT = `a key is ${KEY_BYTES} random bytes written as base64 text, e.g. made with: openssl rand -base64 ${KEY_BYTES}`;

export interface PayloadKey {
  id: string;
  key: KeyObject;
}

export class PayloadKeys {
  readonly #byId: ReadonlyMap<string, KeyObject>;
  /** The key new payloads are encrypted with. */
  readonly active: PayloadKey;

  constructor(activeKeyId: string, keys: readonly PayloadKey[]) {
    this.#byId = new Map(keys.map(({ id, key }) => [id, key]));
    const active = this.#byId.get(activeKeyId);
    // The configuration's schema refuses this first; a caller that skips it is a bug, not an input.
    if (active === undefined)
      throw new Error(
        `the active key ${activeKeyId} is not among the keys (${this.ids.join(', ')})`,
      );
    this.active = { id: activeKeyId, key: active };
  }

  /** The key with this ID, or undefined when it is not configured. */
  find(id: string): KeyObject | undefined {
    return this.#byId.get(id);
  }

  /** Every configured key ID, for messages. */
  get ids(): string[] {
    return [...this.#byId.keys()];
  }
}

/**
 * A key from the text of its file: base64 of exactly 32 bytes, surrounding white space ignored.
 * Problems say what is wrong without quoting the text, which may be a key written wrongly.
 */
export function keyFromBase64(text: string): { key: KeyObject } | { problem: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { problem: `is empty; ${GENERATE_KEY_HINT}` };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) {
    // eslint-disable-next-line no-control-regex -- telling raw bytes from text is the point
    const isBinary = /[^\x09\x0a\x0d\x20-\x7e]/.test(trimmed);
    return {
      problem: `${isBinary ? 'holds binary data, not base64 text' : 'is not base64 text'}; ${GENERATE_KEY_HINT}`,
    };
  }
  // Hex digits are base64 characters too: a hex key would decode to 48 wrong bytes.
  if (/^[0-9a-fA-F]{64}$/.test(trimmed))
    return {
      problem: `holds ${KEY_BYTES} bytes as hex text; write them as base64 instead (e.g. xxd -r -p OLD | base64 > NEW)`,
    };
  const bytes = Buffer.from(trimmed, 'base64');
  try {
    if (bytes.length !== KEY_BYTES)
      return {
        problem: `holds ${bytes.length} bytes once base64-decoded, not ${KEY_BYTES}; ${GENERATE_KEY_HINT}`,
      };
    return { key: createSecretKey(bytes) };
  } finally {
    // createSecretKey copied them: no second copy of the key stays in this process's heap.
    bytes.fill(0);
  }
}
