// Named bearer tokens for Lazarus's HTTP servers: one token per client (a health checker of the
// receiver, an operator of the codec server), read from an owner-only file (never from
// lazarus.yaml, never logged, never in an error), compared in constant time. A request is
// attributed to the name of the token it came with, so logs and records say who it was.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LazarusError } from '../../activities/errors.ts';

/** A client's name and its token; the token is only ever compared, never printed. */
export interface NamedToken {
  name: string;
  token: string;
}

/** The words a server's messages use for its tokens and whoever holds them. */
export interface TokenHolders {
  /** What one token is called: `intake token`. */
  token: string;
  /** What a token's name names: `reporter`. */
  name: string;
  /** Who holds a token, in a sentence: `health checker`. */
  holder: string;
  /** Who must be able to read the file: `the receiver`. */
  reader: string;
  /** What two holders sharing a token would mix up: `their reports`. */
  told: string;
  /** The name of a file's token when the file holds a single token without a name. */
  singleName: string;
}

// Shorter tokens are guessable; Alertmanager's credentials_file and the Temporal CLI take any length.
const MIN_TOKEN_LENGTH = 16;
const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const NAMED_TOKEN = /^([^:\s]+):(\S+)$/;

const invalid = (message: string): LazarusError =>
  new LazarusError('ConfigurationInvalid', message, {});

/**
 * A token file holds either one token (one holder, named `holders.singleName`) or one `name:token`
 * line per holder; blank lines and lines starting with `#` are skipped. Problems name the line by
 * number, never by its content.
 */
export function parseNamedTokens(
  content: string,
  from: string,
  holders: TokenHolders,
): NamedToken[] {
  const checked = (token: string, where: string): string => {
    if (token.length < MIN_TOKEN_LENGTH)
      throw invalid(
        `the ${holders.token} in ${where} is shorter than ${MIN_TOKEN_LENGTH} characters; generate one with: openssl rand -hex 32`,
      );
    return token;
  };
  const lines = content
    .split('\n')
    .map((line, index) => ({ text: line.trim(), number: index + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'));
  const [only] = lines;
  if (lines.length === 1 && only !== undefined && !only.text.includes(':'))
    return [{ name: holders.singleName, token: checked(only.text, from) }];
  if (lines.length === 0)
    throw invalid(
      `${from} holds no token; write one "name:token" line per ${holders.holder} (or a single token)`,
    );
  const tokens = lines.map(({ text, number }): NamedToken => {
    const match = NAMED_TOKEN.exec(text);
    const [, name = '', token = ''] = match ?? [];
    if (match === null || !TOKEN_NAME.test(name))
      throw invalid(
        `line ${number} of ${from} is not "name:token" (a ${holders.name} name of letters, digits, ".", "_", "/", "-", then ":" and the token); fix that line, or keep a single token alone in the file`,
      );
    return { name, token: checked(token, `line ${number} of ${from}`) };
  });
  const names = tokens.map((entry) => entry.name);
  const repeatedName = names.find((name, index) => names.indexOf(name) !== index);
  if (repeatedName !== undefined)
    throw invalid(
      `${from} names ${holders.name} ${repeatedName} twice; give each ${holders.holder} one line`,
    );
  const distinct = new Set(tokens.map((entry) => entry.token));
  if (distinct.size !== tokens.length)
    throw invalid(
      `${from} gives two ${holders.name}s the same token, so ${holders.told} could not be told apart; generate one token per ${holders.name} with: openssl rand -hex 32`,
    );
  return tokens;
}

/** The tokens of `file`; fails saying how to make it readable, never quoting it. */
export async function readNamedTokenFile(
  file: string,
  holders: TokenHolders,
): Promise<NamedToken[]> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw invalid(
      `the ${holders.token} file ${file} cannot be read (${typeof code === 'string' ? code : 'unreadable'}); make it readable by ${holders.reader} only (chmod 600)`,
    );
  }
  return parseNamedTokens(content, `file ${file}`, holders);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The name of the token the Authorization header carries as a bearer token, or undefined. Every
 * token is compared, each through digests, so the time taken says nothing about how much of a
 * token matched.
 */
export function bearerNameOf(
  header: string | undefined,
  tokens: readonly NamedToken[],
): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const given = digest(match[1]);
  let name: string | undefined;
  for (const entry of tokens) if (timingSafeEqual(given, digest(entry.token))) name ??= entry.name;
  return name;
}
