import { describe, expect, it } from 'vitest';
import {
  parseReporterTokens,
  reporterOf,
  SINGLE_TOKEN_REPORTER,
} from '../../../../apps/receiver/bearer-token.ts';

const CONSUL = 'consul-token-0123456789abcdef';
const DETECTOR = 'detector-token-0123456789abcdef';

describe('the receiver’s reporter tokens', () => {
  it('reads one name:token line per reporter, skipping blank lines and comments', () => {
    expect(
      parseReporterTokens(
        `# health checkers\nconsul:${CONSUL}\n\n  dc2/detector:${DETECTOR}  \n`,
        'file t',
      ),
    ).toEqual([
      { reporter: 'consul', token: CONSUL },
      { reporter: 'dc2/detector', token: DETECTOR },
    ]);
  });

  it('keeps today’s single-token file as one reporter with the default name', () => {
    expect(parseReporterTokens(`${CONSUL}\n`, 'file t')).toEqual([
      { reporter: SINGLE_TOKEN_REPORTER, token: CONSUL },
    ]);
  });

  it('refuses a bad line by number, a repeated name or token, and a short token, never quoting a token', () => {
    const problems = [
      `consul:${CONSUL}\n${DETECTOR}\n`,
      `consul:${CONSUL}\nconsul:${DETECTOR}\n`,
      `consul:${CONSUL}\ndetector:${CONSUL}\n`,
      'consul:short\n',
      '# nothing\n',
    ].map((content) => {
      try {
        parseReporterTokens(content, 'file t');
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(problems).toEqual([
      expect.stringMatching(/^line 2 of file t is not "name:token"/),
      expect.stringMatching(/names reporter consul twice/),
      expect.stringMatching(/gives two reporters the same token/),
      expect.stringMatching(/^the intake token in line 1 of file t is shorter than 16 characters/),
      expect.stringMatching(/holds no token/),
    ] as unknown[]);
    for (const problem of problems) {
      expect(problem).not.toContain(CONSUL);
      expect(problem).not.toContain(DETECTOR);
    }
  });

  it('names the reporter whose token the header carries, and nobody for another', () => {
    const tokens = parseReporterTokens(`consul:${CONSUL}\ndetector:${DETECTOR}\n`, 'file t');
    expect(reporterOf(`Bearer ${DETECTOR}`, tokens)).toBe('detector');
    expect(reporterOf(`bearer ${CONSUL}`, tokens)).toBe('consul');
    expect(reporterOf(`Bearer ${CONSUL}x`, tokens)).toBeUndefined();
    expect(reporterOf(CONSUL, tokens)).toBeUndefined();
    expect(reporterOf(undefined, tokens)).toBeUndefined();
  });
});
