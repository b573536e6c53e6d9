// Reads the payload keys lazarus.yaml names (temporal.payloadEncryption) from their files. Every
// problem is reported at once, as configuration problems with their field paths, and none quotes a
// file's content. Keys never live in lazarus.yaml itself, so the file can be shared and logged.
import { readFile } from 'node:fs/promises';
import type { ConfigProblem } from '../../config/bmc-inventory.ts';
import type { LazarusConfig } from '../../config/load-config.ts';
import { configurationInvalid } from '../../config/load-config.ts';
import type { PayloadKey } from './payload-keys.ts';
import { GENERATE_KEY_HINT, keyFromBase64, PayloadKeys } from './payload-keys.ts';

export type PayloadEncryptionSettings = NonNullable<LazarusConfig['temporal']['payloadEncryption']>;

/** The keys of `settings`, or a ConfigurationInvalid error naming each key file that is wrong. */
export async function readPayloadKeys(
  settings: PayloadEncryptionSettings,
  configPath: string,
): Promise<PayloadKeys> {
  const problems: ConfigProblem[] = [];
  const keys: PayloadKey[] = [];
  for (const [index, { id, file }] of settings.keys.entries()) {
    const path = `temporal.payloadEncryption.keys[${index}].file`;
    const read = await readKeyFile(file);
    if ('problem' in read) {
      problems.push({ path, message: `${file} (key ${id}) ${read.problem}` });
      continue;
    }
    const twin = keys.find((other) => other.key.equals(read.key));
    if (twin !== undefined) {
      problems.push({
        path,
        message: `${file} (key ${id}) holds the same key as key ${twin.id}; a rotation needs a new key (openssl rand -base64 32)`,
      });
      continue;
    }
    keys.push({ id, key: read.key });
  }
  if (problems.length > 0) throw configurationInvalid(configPath, problems);
  return new PayloadKeys(settings.activeKey, keys);
}

async function readKeyFile(file: string): Promise<ReturnType<typeof keyFromBase64>> {
  let content: string;
  try {
    // One character per byte: a file of raw key bytes is told apart from text, not mangled as UTF-8.
    content = await readFile(file, 'latin1');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      problem:
        code === 'ENOENT'
          ? `does not exist; write the key there (${GENERATE_KEY_HINT}), readable only by Lazarus (chmod 600)`
          : `cannot be read (${typeof code === 'string' ? code : 'unreadable'}); make it readable by the Lazarus user only (chmod 600)`,
    };
  }
  return keyFromBase64(content);
}
