// The receiver's tokens, one per reporter (docs/design.md#i10-every-report-answered): read from an
// owner-only file or an environment variable (never from lazarus.yaml, never logged, never in an
// error), compared in constant time (apps/http/bearer-tokens.ts). The reporter a report is
// recorded under is the name of the token it came with, so corroboration's minReporters counts
// health checkers, not payload fields.
import { LazarusError } from '../../activities/errors.ts';
import type { NamedToken, TokenHolders } from '../http/bearer-tokens.ts';
import { bearerNameOf, parseNamedTokens, readNamedTokenFile } from '../http/bearer-tokens.ts';

export const TOKEN_ENV = 'LAZARUS_INTAKE_TOKEN';

/** The reporter of a file or variable that holds a single token, as the receiver took it before names. */
export const SINGLE_TOKEN_REPORTER = 'intake-token';

/** A health checker's name (the reporter recorded) and its token; the token is never printed. */
export interface ReporterToken {
  reporter: string;
  token: string;
}

const INTAKE_TOKENS: TokenHolders = {
  token: 'intake token',
  name: 'reporter',
  holder: 'health checker',
  reader: 'the receiver',
  told: 'their reports',
  singleName: SINGLE_TOKEN_REPORTER,
};

const asReporterToken = ({ name, token }: NamedToken): ReporterToken => ({ reporter: name, token });

/** One token (today's form: one reporter, `intake-token`) or one `name:token` line per reporter. */
export function parseReporterTokens(content: string, from: string): ReporterToken[] {
  return parseNamedTokens(content, from, INTAKE_TOKENS).map(asReporterToken);
}

/** The tokens from `tokenFile` when given, else LAZARUS_INTAKE_TOKEN; fails saying how to provide them. */
export async function readReporterTokens(
  tokenFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ReporterToken[]> {
  if (tokenFile !== undefined)
    return (await readNamedTokenFile(tokenFile, INTAKE_TOKENS)).map(asReporterToken);
  const fromEnv = env[TOKEN_ENV]?.trim();
  if (fromEnv === undefined || fromEnv === '') {
    throw new LazarusError(
      'ConfigurationInvalid',
      `no intake token: set ${TOKEN_ENV} or pass --token-file FILE, and give each health checker its token as a bearer token`,
      {},
    );
  }
  return parseReporterTokens(fromEnv, TOKEN_ENV);
}

/** The reporter whose bearer token the Authorization header carries, or undefined. */
export function reporterOf(
  header: string | undefined,
  tokens: readonly ReporterToken[],
): string | undefined {
  return bearerNameOf(
    header,
    tokens.map(({ reporter, token }) => ({ name: reporter, token })),
  );
}
