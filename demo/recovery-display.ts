// Follows an incident by its state query and shows it: a line redrawn in place on a terminal, a
// plain line per change otherwise (logs, CI). Resolves once every instance to move has its outcome.
import type { WorkflowHandle } from '@temporalio/client';
import type { IncidentState } from '../contracts/incident-messages.ts';
import { stateQuery } from '../contracts/incident-messages.ts';
import { instanceCounts, isRecoveryFinished } from '../apps/cli/commands/incident-tables.ts';

const CLOSED_WITHOUT_RECOVERY: ReadonlySet<string> = new Set(['Aborted', 'NotCorroborated']);

export function progressLine(state: IncidentState): string {
  const { done, total } = instanceCounts(state);
  const count = (outcome: string): number => state.instances.filter((row) => row.progress.outcome === outcome).length;
  const width = 20;
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const moving = total === 0 ? '' : `  ${bar} ${done}/${total} done: ${count('landed') + count('alreadyEvacuated')} landed, ${count('failed')} failed, ${count('evacuating')} evacuating`;
  return `${state.host}: ${state.phase}${moving}`;
}

export interface WatchOptions {
  isTty: boolean;
  write: (text: string) => void;
  timeoutMs: number;
  intervalMs?: number;
  /** Stops watching (the demo is interrupted); the watch then rejects. */
  signal: AbortSignal;
}

export async function watchRecovery(handle: WorkflowHandle, options: WatchOptions): Promise<IncidentState> {
  const deadline = Date.now() + options.timeoutMs;
  let shown = '';
  let lastProblem = 'no answer yet';
  for (;;) {
    options.signal.throwIfAborted();
    try {
      const state = await handle.query(stateQuery);
      const line = progressLine(state);
      if (line !== shown) {
        options.write(options.isTty ? `\r\x1b[K${line}` : `${line}\n`);
        shown = line;
      }
      if (isRecoveryFinished(state) || CLOSED_WITHOUT_RECOVERY.has(state.phase)) {
        if (options.isTty) options.write('\n');
        return state;
      }
      lastProblem = `phase ${state.phase}`;
    } catch (error) {
      // A query can fail while the incident's first workflow task is still being processed.
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} did not finish its recovery within ${options.timeoutMs / 1000} s (${lastProblem})`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
