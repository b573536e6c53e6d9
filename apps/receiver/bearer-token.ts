// The receiver's shared secret: read from an environment variable or an owner-only file (never from
// lazarus.yaml, never logged), compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LazarusError } from '../../activities/errors.ts';

export const TOKEN_ENV = 'LAZARUS_INTAKE_TOKEN';

// Shorter tokens are guessable; Alertmanager's credentials_file takes any length.
const MIN_TOKEN_LENGTH = 16;

function checked(token: string, from: string): string {
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new LazarusError(
      'ConfigurationInvalid',
      `the intake token in ${from} is shorter than ${MIN_TOKEN_LENGTH} characters; generate one with: openssl rand -hex 32`,
      {},
    );
  }
  return token;
}

/** The token from `tokenFile` when given, else from LAZARUS_INTAKE_TOKEN; fails saying how to provide one. */
export async function readBearerToken(
  tokenFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  if (tokenFile !== undefined) {
    let content: string;
    try {
      content = await readFile(tokenFile, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new LazarusError(
        'ConfigurationInvalid',
        `the intake token file ${tokenFile} cannot be read (${typeof code === 'string' ? code : 'unreadable'}); make it readable by the receiver only (chmod 600)`,
        {},
      );
    }
    return checked(content.trim(), `file ${tokenFile}`);
  }
  const fromEnv = env[TOKEN_ENV]?.trim();
  if (fromEnv === undefined || fromEnv === '') {
    throw new LazarusError(
      'ConfigurationInvalid',
      `no intake token: set ${TOKEN_ENV} or pass --token-file FILE, and give health checkers the same token as a bearer token`,
      {},
    );
  }
  return checked(fromEnv, TOKEN_ENV);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether an Authorization header carries this bearer token; digests keep the comparison constant-time whatever the lengths. */
export function isAuthorized(header: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}
