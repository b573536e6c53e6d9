// Corroboration (docs/design.md#report-and-corroborate): with rules configured, the incident looks
// at Nova and the BMC until the rules hold, a new report arriving looks at once, and past the
// timeout it closes NotCorroborated without having touched anything. An operator's abort, whenever
// it is accepted, closes it Aborted before it fences. The rules themselves are in corroboration.ts.
import { condition } from '@temporalio/workflow';
import { gatherFailureEvidence } from './activity-options.ts';
import type { CorroborationRules } from '../domain/corroboration.ts';
import { isEvidenceNeeded, missingCorroboration } from '../domain/corroboration.ts';
import { isAbortChosen } from './fencing-with-operator.ts';
import type { Incident } from './incident-record.ts';
import { now } from './incident-record.ts';

export function isCorroborationRequired(rules: CorroborationRules): boolean {
  return isEvidenceNeeded(rules) || rules.minReporters > 1;
}

export async function corroborate(
  incident: Incident,
  rules: CorroborationRules,
): Promise<'corroborated' | 'notCorroborated' | 'aborted'> {
  const { state } = incident;
  incident.enter('Corroborating');
  const deadline = Date.now() + rules.timeoutMs;
  for (;;) {
    const evidence = isEvidenceNeeded(rules) ? await gatherFailureEvidence(state.host) : undefined;
    // An abort accepted while the evidence was read wins over what it says: the validator took it.
    if (isAbortChosen(incident)) return 'aborted';
    const missing = missingCorroboration(
      rules,
      state.reports.map((report) => report.reporter),
      evidence,
    );
    state.corroboration = { checkedAt: now(), missing };
    incident.show();
    if (missing.length === 0) return 'corroborated';
    const timeLeftMs = deadline - Date.now();
    if (timeLeftMs <= 0) return 'notCorroborated';
    const reports = state.reportCount;
    await condition(
      () => state.reportCount > reports || incident.choice?.kind === 'aborted',
      Math.min(rules.recheckIntervalMs, timeLeftMs),
    );
    if (isAbortChosen(incident)) return 'aborted';
  }
}
