// Reads a secret from where the configuration points, at the moment it is needed, never stored in
// configuration objects (docs/design.md#i7-no-secrets-in-history-or-logs).
import { readFile } from 'node:fs/promises';
import { LazarusError } from '../errors.ts';
import type { SecretReference } from './bmc-entry.ts';

/** `purpose` names what the secret is for, e.g. "the BMC password of host cmp-07". */
export async function readSecret(reference: SecretReference, purpose: string): Promise<string> {
  if ('env' in reference) {
    const value = process.env[reference.env];
    if (value === undefined || value === '') {
      throw new LazarusError(
        'ConfigurationInvalid',
        `${purpose} is to come from environment variable ${reference.env}, which is not set; set it in the Lazarus worker's environment`,
        { secret: describeSecretReference(reference) },
      );
    }
    return value;
  }
  try {
    // A trailing newline is how editors and `echo` end files, never part of a password.
    return (await readFile(reference.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new LazarusError(
      'ConfigurationInvalid',
      `${purpose} is to come from file ${reference.file}, which cannot be read (${typeof code === 'string' ? code : 'error'}); create it readable by the Lazarus worker only`,
      { secret: describeSecretReference(reference) },
    );
  }
}

function describeSecretReference(reference: SecretReference): string {
  return 'env' in reference ? `environment variable ${reference.env}` : `file ${reference.file}`;
}
