// How long a step waits before it tries Nova or Keystone again, and how the wait reads to an
// operator (docs/design.md#i9-liveness). A step after fencing never gives up because Nova is away:
// an outage is retried at a pace capped at a minute; an answer that does not heal by itself (401
// after a password rotation, 403 from policy, 404 from a wrong endpoint) at a slower capped pace,
// and at once when an operator says the cause is fixed (`lazarus retry HOST`).
import type { Waiting } from '../contracts/incident-messages.ts';

/** Failure types that need someone to change a credential, a policy or an endpoint. */
const NEEDS_OPERATOR: ReadonlySet<string> = new Set([
  'AuthenticationFailed',
  'PermissionDenied',
  'NotFound',
  'MicroversionUnsupported',
  'UnexpectedResponse',
  'ConfigurationInvalid',
]);

/** Refusals until Nova has finished work of its own: the restarted compute completes its evacuations. */
const NOT_YET: ReadonlySet<string> = new Set(['EvacuationsNotCompleted']);

/** Failure types that heal by themselves: Nova or Keystone failing, overloaded or unreachable. */
const OUTAGE: ReadonlySet<string> = new Set(['CloudUnavailable', 'EvacuationOutcomeUnknown']);

export const OUTAGE_RETRY_CAP_MS = 60_000;
export const NEEDS_OPERATOR_RETRY_CAP_MS = 5 * 60_000;

/**
 * Whether a step that failed with `type` waits and tries again, and for what reason; `final` is an
 * answer about the thing itself (Nova refused this instance), which the step reports instead.
 */
export function waitKindOf(
  type: string | undefined,
  finalTypes: ReadonlySet<string> = new Set(),
): Waiting['kind'] | 'final' {
  if (type === undefined || finalTypes.has(type)) return 'final';
  if (OUTAGE.has(type)) return 'outage';
  if (NOT_YET.has(type)) return 'notYet';
  return NEEDS_OPERATOR.has(type) ? 'needsOperator' : 'final';
}

/** Doubling from 2 s (an outage) or 30 s (an operator's fix, or Nova's own work), capped at 1 or 5 minutes. */
export function retryDelayMs(kind: Waiting['kind'], tries: number): number {
  const [first, cap] =
    kind === 'outage' ? [2_000, OUTAGE_RETRY_CAP_MS] : [30_000, NEEDS_OPERATOR_RETRY_CAP_MS];
  return Math.min(cap, first * 2 ** Math.max(0, tries - 1));
}

/** Why a step waits, by the kind of its wait: the words every view of a wait uses. */
export const WAIT_CAUSES: Readonly<Record<Waiting['kind'], string>> = {
  outage: 'Nova or Keystone unreachable',
  needsOperator: 'Nova or Keystone refuses, which does not heal by itself',
  notYet: 'Nova refuses until it has finished work of its own',
};

/** One line for the Web UI, `lazarus show` and `lazarus incidents`. */
export function describeWaiting(waiting: Waiting, host: string): string {
  const cause = WAIT_CAUSES[waiting.kind];
  return (
    `waiting to ${waiting.step}: ${cause} since ${waiting.since} (${waiting.tries} tries): ` +
    `${waiting.lastError}; next try ${waiting.nextTryAt}, or now with: lazarus retry ${host}`
  );
}
