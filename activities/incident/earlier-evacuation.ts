// A reset or replayed incident finds an instance's evacuation workflow already started by an
// earlier run. That workflow may still be retrying its evacuate (ABANDON keeps it alive), so the
// incident must wait for it to close and take its outcome: reading Nova alone could report the
// instance failed, let the host be re-admitted, and then see the earlier workflow evacuate from a
// powered host (docs/design.md#i1-fence-before-evacuate; found by the chaos run, seed 147).
import { Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { EvacuationOutcome } from '../../contracts/evacuation-messages.ts';
import { heartbeatWhile } from './activity-support.ts';

export type EarlierEvacuation = { closedWith: EvacuationOutcome } | { closedWithout: string };

/** Heartbeats while it waits, so a worker that dies here is noticed and another attempt waits on. */
export async function awaitEarlierEvacuation(workflowId: string): Promise<EarlierEvacuation> {
  const handle = Context.current().client.workflow.getHandle(workflowId);
  try {
    return {
      closedWith: await heartbeatWhile(handle.result() as Promise<EvacuationOutcome>, 5_000),
    };
  } catch (error) {
    // Failed, terminated, cancelled or timed out: closed, with no outcome of its own.
    if (!(error instanceof WorkflowFailedError)) throw error;
    return {
      closedWithout: `its evacuation workflow ${workflowId} ended without an outcome (${error.message})`,
    };
  }
}
