import { describe, expect, it } from 'vitest';
import type { CorroborationRules, FailureEvidence } from '../../../domain/corroboration.ts';
import { missingCorroboration, NO_CORROBORATION } from '../../../domain/corroboration.ts';
import { isCorroborationRequired } from '../../../workflows/corroborate-failure.ts';

const STRICT: CorroborationRules = {
  ...NO_CORROBORATION,
  isNovaDownRequired: true,
  isBmcReachableRequired: true,
  minReporters: 2,
};
const DEAD_HOST: FailureEvidence = {
  nova: { state: 'down', evidence: 'Nova reports the nova-compute service of cmp-01 down' },
  bmc: { isReachable: true, evidence: 'the redfish BMC answers: power On' },
};

describe('corroborating a reported failure', () => {
  it('needs nothing beyond the report when no rule is configured', () => {
    expect(isCorroborationRequired(NO_CORROBORATION)).toBe(false);
    expect(missingCorroboration(NO_CORROBORATION, ['alertmanager'], undefined)).toEqual([]);
  });

  it('is corroborated when Nova says down, the BMC answers and enough distinct reporters spoke', () => {
    expect(isCorroborationRequired(STRICT)).toBe(true);
    expect(
      missingCorroboration(STRICT, ['alertmanager', 'consul', 'alertmanager'], DEAD_HOST),
    ).toEqual([]);
  });

  it('lists what is missing, with the evidence, for the Web UI', () => {
    const evidence: FailureEvidence = {
      nova: { state: 'up', evidence: 'Nova reports it up' },
      bmc: { isReachable: false, evidence: 'BMC timed out' },
    };
    expect(missingCorroboration(STRICT, ['alertmanager', 'alertmanager'], evidence)).toEqual([
      '2 distinct reporters (have 1: alertmanager)',
      'Nova to report the nova-compute service down (Nova reports it up)',
      'the BMC to answer (BMC timed out)',
    ]);
  });

  it('counts a rule on evidence not read yet as missing', () => {
    expect(
      missingCorroboration({ ...NO_CORROBORATION, isNovaDownRequired: true }, ['a'], undefined),
    ).toEqual(['Nova to report the nova-compute service down (not read yet)']);
  });
});
