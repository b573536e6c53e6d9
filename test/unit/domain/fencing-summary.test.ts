import { describe, expect, it } from 'vitest';
import { describeFencingProof } from '../../../domain/fencing-summary.ts';

const BASE = {
  host: 'cmp-07',
  powerState: 'Off',
  readAt: '2026-03-01T10:00:05.000Z',
  wasAlreadyOff: false,
  attempts: 3,
  elapsedMs: 2100,
} as const;

describe('a fencing proof as operators read it', () => {
  it('reads as it always has when the BMC, the first level, fenced the host', () => {
    expect(
      describeFencingProof({ ...BASE, protocol: 'redfish', bmc: 'https://bmc-cmp-07', level: 1 }),
    ).toBe('power read back Off via redfish at 2026-03-01T10:00:05.000Z');
  });

  it('names the level and device that fenced the host, and why each earlier level did not', () => {
    expect(
      describeFencingProof({
        ...BASE,
        protocol: 'redfish-pdu',
        bmc: 'https://pdu-r12-a outlets A7, B7',
        level: 2,
        device: 'pdu',
        earlierLevels: [
          {
            level: 1,
            device: 'bmc',
            describedAs: 'redfish https://bmc-cmp-07',
            type: 'BmcUnavailable',
            reason: 'fencing host cmp-07: Redfish BMC at https://bmc-cmp-07 did not answer',
          },
        ],
      }),
    ).toBe(
      'power read back Off via redfish-pdu at 2026-03-01T10:00:05.000Z (level 2, pdu https://pdu-r12-a outlets A7, B7; level 1 redfish https://bmc-cmp-07 failed: BmcUnavailable)',
    );
  });
});
