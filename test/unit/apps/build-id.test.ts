import { describe, expect, it } from 'vitest';
import { buildIdFrom } from '../../../apps/build-id.ts';

describe('the build ID a versioned worker declares', () => {
  it('is the version with the commit as build metadata in a checkout', () => {
    expect(buildIdFrom({ stamped: undefined, version: '0.1.0', commit: '1b536f6' })).toBe(
      '0.1.0+1b536f6',
    );
    expect(buildIdFrom({ stamped: undefined, version: '0.1.0', commit: '1b536f6.dirty' })).toBe(
      '0.1.0+1b536f6.dirty',
    );
  });

  it('is what LAZARUS_BUILD_ID says when a packaging step stamped it, commit or not', () => {
    expect(buildIdFrom({ stamped: ' 2026.12-rc1 ', version: '0.1.0', commit: '1b536f6' })).toBe(
      '2026.12-rc1',
    );
  });

  it('is the version alone outside a checkout, and ignores an empty stamp', () => {
    expect(buildIdFrom({ stamped: '', version: '0.1.0', commit: undefined })).toBe('0.1.0');
  });
});
