import { describe, expect, it } from 'vitest';
import type { ComputeHost } from '../../../domain/recovery-method.ts';
import { AUTO_RECOVERY } from '../../../domain/recovery-method.ts';

const room = { vcpus: 8, ramMb: 16384, diskGb: 100 };
const host = (name: string, isSchedulable = true): ComputeHost => ({
  host: name,
  isSchedulable,
  free: room,
  largest: room,
});

describe('the auto recovery method', () => {
  it('lets the scheduler use every enabled, up host but the failed one', () => {
    const hosts = [host('cmp-01'), host('cmp-02'), host('cmp-03', false), host('cmp-04')];
    expect(AUTO_RECOVERY.destinations('cmp-02', hosts).map((d) => d.host)).toEqual([
      'cmp-01',
      'cmp-04',
    ]);
  });
});
