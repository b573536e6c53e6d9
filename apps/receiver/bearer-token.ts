// The receiver's tokens, one per reporter (docs/design.md#i10-every-report-answered): read from an
// owner-only file or an environment variable (never from lazarus.yaml, never logged, never in an
// error), compared in constant time. The reporter a report is recorded under is the name of the
// token it came with, so corroboration's minReporters counts health checkers, not payload fields.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LazarusError } from '../../activities/errors.ts';

export const TOKEN_ENV = 'LAZARUS_INTAKE_TOKEN';

/** The reporter of a file or variable that holds a single token, as the receiver took it before names. */
export const SINGLE_TOKEN_REPORTER = 'intake-token';

/** A health checker's name and its token; the token is only ever compared, never printed. */
export interface ReporterToken {
  reporter: string;
  token: string;
}

// Shorter tokens are guessable; Alertmanager's credentials_file takes any length.
const MIN_TOKEN_LENGTH = 16;
const REPORTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const NAMED_TOKEN = /^([^:\s]+):(\S+)$/;

const invalid = (message: string): LazarusError =>
  new LazarusError('ConfigurationInvalid', message, {});

function checked(token: string, where: string): string {
  if (token.length < MIN_TOKEN_LENGTH)
    throw invalid(
      `the intake token in ${where} is shorter than ${MIN_TOKEN_LENGTH} characters; generate one with: openssl rand -hex 32`,
    );
  return token;
}

/**
 * A token file holds either one token (today's form: one reporter, named `intake-token`) or one
 * `name:token` line per reporter; blank lines and lines starting with `#` are skipped. Problems
 * name the line by number, never by its content.
 */
export function parseReporterTokens(content: string, from: string): ReporterToken[] {
  const lines = content
    .split('\n')
    .map((line, index) => ({ text: line.trim(), number: index + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'));
  const [only] = lines;
  if (lines.length === 1 && only !== undefined && !only.text.includes(':'))
    return [{ reporter: SINGLE_TOKEN_REPORTER, token: checked(only.text, from) }];
  if (lines.length === 0)
    throw invalid(
      `${from} holds no token; write one "name:token" line per health checker (or a single token)`,
    );
  const tokens = lines.map(({ text, number }): ReporterToken => {
    const match = NAMED_TOKEN.exec(text);
    const [, reporter = '', token = ''] = match ?? [];
    if (match === null || !REPORTER_NAME.test(reporter))
      throw invalid(
        `line ${number} of ${from} is not "name:token" (a reporter name of letters, digits, ".", "_", "/", "-", then ":" and the token); fix that line, or keep a single token alone in the file`,
      );
    return { reporter, token: checked(token, `line ${number} of ${from}`) };
  });
  const names = tokens.map((entry) => entry.reporter);
  const repeatedName = names.find((name, index) => names.indexOf(name) !== index);
  if (repeatedName !== undefined)
    throw invalid(
      `${from} names reporter ${repeatedName} twice; give each health checker one line`,
    );
  const distinct = new Set(tokens.map((entry) => entry.token));
  if (distinct.size !== tokens.length)
    throw invalid(
      `${from} gives two reporters the same token, so their reports could not be told apart; generate one token per reporter with: openssl rand -hex 32`,
    );
  return tokens;
}

/** The tokens from `tokenFile` when given, else LAZARUS_INTAKE_TOKEN; fails saying how to provide them. */
export async function readReporterTokens(
  tokenFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ReporterToken[]> {
  if (tokenFile !== undefined) {
    let content: string;
    try {
      content = await readFile(tokenFile, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw invalid(
        `the intake token file ${tokenFile} cannot be read (${typeof code === 'string' ? code : 'unreadable'}); make it readable by the receiver only (chmod 600)`,
      );
    }
    return parseReporterTokens(content, `file ${tokenFile}`);
  }
  const fromEnv = env[TOKEN_ENV]?.trim();
  if (fromEnv === undefined || fromEnv === '') {
    throw invalid(
      `no intake token: set ${TOKEN_ENV} or pass --token-file FILE, and give each health checker its token as a bearer token`,
    );
  }
  return parseReporterTokens(fromEnv, TOKEN_ENV);
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * The reporter whose bearer token the Authorization header carries, or undefined. Every token is
 * compared, each through digests, so the time taken says nothing about how much of a token matched.
 */
export function reporterOf(
  header: string | undefined,
  tokens: readonly ReporterToken[],
): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return undefined;
  const given = digest(match[1]);
  let reporter: string | undefined;
  for (const entry of tokens)
    if (timingSafeEqual(given, digest(entry.token))) reporter ??= entry.reporter;
  return reporter;
}
