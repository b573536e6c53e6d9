// Follows an incident by its state query and shows it: a line redrawn in place on a terminal, a
// plain line per change otherwise (logs, CI). Resolves once every instance to move has its outcome.
import type { WorkflowHandle } from '@temporalio/client';
import type { IncidentState } from '../contracts/incident-messages.ts';
import { stateQuery } from '../contracts/incident-messages.ts';
import { instanceCounts, isRecoveryFinished } from '../apps/cli/commands/incident-tables.ts';
import { pollUntil } from '../lib/poll-until.ts';

const CLOSED_WITHOUT_RECOVERY: ReadonlySet<string> = new Set(['Aborted', 'NotCorroborated']);

export function progressLine(state: IncidentState): string {
  const { done, total } = instanceCounts(state);
  const count = (outcome: string): number =>
    state.instances.filter((row) => row.progress.outcome === outcome).length;
  const width = 20;
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const moving =
    total === 0
      ? ''
      : `  ${bar} ${done}/${total} done: ${count('landed') + count('alreadyEvacuated')} landed, ${count('failed')} failed, ${count('evacuating')} evacuating`;
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

export async function watchRecovery(
  handle: WorkflowHandle,
  options: WatchOptions,
): Promise<IncidentState> {
  let shown = '';
  let lastProblem = 'no answer yet';
  return pollUntil(
    `${handle.workflowId} to finish its recovery`,
    async () => {
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
      return undefined;
    },
    {
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 500,
      signal: options.signal,
      onTimeout: () =>
        `${handle.workflowId} did not finish its recovery within ${options.timeoutMs / 1000} s (${lastProblem})`,
    },
  );
}
