// Long waits continue as new before their history grows large (docs/design.md#bounded-history).
import { workflowInfo } from '@temporalio/workflow';

/**
 * Events in one run before a waiting workflow continues as new: well below the server's own
 * suggestion (4 Ki events or 4 MB by default), its warning (10 Ki events, 10 MB) and its limit
 * (50 Ki events, 50 MB), so a burst of signals arriving while it continues never takes it near
 * them.
 */
export const MAX_RUN_HISTORY_EVENTS = 2_000;

/** True once this run's history is long enough that a waiting workflow should continue as new. */
export function isHistoryLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > MAX_RUN_HISTORY_EVENTS;
}
