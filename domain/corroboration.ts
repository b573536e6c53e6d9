// Corroboration: what must be true, besides a report, before an incident does anything destructive
// (docs/design.md#report-and-corroborate). A lone health checker may be partitioned from a healthy
// host; Nova and the BMC see it from elsewhere. Pure, so the rules are unit-tested.

export interface CorroborationRules {
  /** Nova's nova-compute service of the host reads `down` (its heartbeats stopped). */
  isNovaDownRequired: boolean;
  /** The host's BMC answers a power-state read, so the management network reaches it and fencing can be proven. */
  isBmcReachableRequired: boolean;
  /** Distinct reporters (health checkers) that must have reported the host. */
  minReporters: number;
  /** How long the incident waits for the rules to hold before it closes NotCorroborated, touching nothing. */
  timeoutMs: number;
  /** Between two looks at Nova and the BMC; a new report looks at once. */
  recheckIntervalMs: number;
}

/** No corroboration: the first report starts the recovery. */
export const NO_CORROBORATION: CorroborationRules = {
  isNovaDownRequired: false,
  isBmcReachableRequired: false,
  minReporters: 1,
  timeoutMs: 10 * 60_000,
  recheckIntervalMs: 15_000,
};

/** What the corroborating activity read, each with the evidence an operator can check. */
export interface FailureEvidence {
  nova: { state: 'up' | 'down' | 'unknown'; evidence: string };
  bmc: { isReachable: boolean; evidence: string };
}

export function isEvidenceNeeded(rules: CorroborationRules): boolean {
  return rules.isNovaDownRequired || rules.isBmcReachableRequired;
}

/** What is still missing, in words for the Web UI; empty when the failure is corroborated. */
export function missingCorroboration(
  rules: CorroborationRules,
  reporters: readonly string[],
  evidence: FailureEvidence | undefined,
): string[] {
  const missing: string[] = [];
  const distinct = new Set(reporters).size;
  if (distinct < rules.minReporters)
    missing.push(
      `${rules.minReporters} distinct reporters (have ${distinct}: ${[...new Set(reporters)].join(', ') || 'none'})`,
    );
  if (rules.isNovaDownRequired && evidence?.nova.state !== 'down')
    missing.push(
      `Nova to report the nova-compute service down (${evidence?.nova.evidence ?? 'not read yet'})`,
    );
  if (rules.isBmcReachableRequired && evidence?.bmc.isReachable !== true)
    missing.push(`the BMC to answer (${evidence?.bmc.evidence ?? 'not read yet'})`);
  return missing;
}
