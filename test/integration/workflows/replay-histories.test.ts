// Every committed history of a finished incident replays on today's workflow code without
// nondeterminism (docs/design.md#i8-determinism). Record new ones with LAZARUS_RECORD_HISTORIES=1
// (docs/design.md#recording-a-history).
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../../apps/worker/create-worker.ts';
import { committedHistories, quietBundler } from './incident-worker.ts';

describe('the committed incident histories', () => {
  it('replay on the current workflow code without a determinism violation', async () => {
    const histories = await committedHistories();
    expect(histories.length).toBeGreaterThan(0);
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: quietBundler,
    });
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
      if (result.error !== undefined)
        failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
