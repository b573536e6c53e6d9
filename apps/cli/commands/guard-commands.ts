// The storm-guard commands of `lazarus`: approve held incidents, reset the guard's window, pause and
// resume all automation. Each is an Update of the guard of this deployment's task queue
// (storm-guard/<task queue>), recorded there with who and why.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowNotFoundError } from '@temporalio/client';
import type { OperatorDecision } from '../../../contracts/incident-messages.ts';
import type { StormGuardState } from '../../../contracts/storm-guard-messages.ts';
import {
  approveUpdate,
  pauseUpdate,
  resetGuardUpdate,
  resumeUpdate,
  stormGuardStartOptions,
  stormGuardWorkflowId,
  unsuppressUpdate,
} from '../../../contracts/storm-guard-messages.ts';
import type { stormGuardWorkflow } from '../../../workflows/storm-guard-workflow.ts';
import type { Command, CommandContext } from './temporal-command.ts';
import { CommandFailed, temporalCommand } from './temporal-command.ts';

/** Approving needs held incidents, which exist only once the guard runs. */
async function onRunningGuard<T>(
  context: CommandContext,
  send: (guard: WorkflowHandle) => Promise<T>,
): Promise<T> {
  const workflowId = stormGuardWorkflowId(context.taskQueue);
  try {
    return await send(context.client.workflow.getHandle(workflowId));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    throw new CommandFailed(
      `the storm guard ${workflowId} is not running: no incident on task queue ${context.taskQueue} has asked for admission, so none is held`,
    );
  }
}

function admittedCommand(
  name: string,
  description: string,
  args: readonly string[],
  send: (
    guard: WorkflowHandle,
    decision: OperatorDecision & { host?: string },
  ) => Promise<string[]>,
): Command {
  return temporalCommand({
    name,
    description,
    arguments: args,
    options: ['operator', 'reason'],
    async run(context) {
      const [host] = context.positionals;
      const decision = { ...context.decision(), ...(host === undefined ? {} : { host }) };
      const admitted = await onRunningGuard(context, (guard) => send(guard, decision));
      context.print(
        admitted.length === 0
          ? `nothing was held${host === undefined ? '' : ` for ${host}`}; lazarus incidents shows what waits`
          : `admitted by ${decision.operator}: ${admitted.join(', ')}`,
        { admitted, ...decision },
      );
      return 0;
    },
  });
}

/** Pausing must work before any incident started the guard, so it starts the guard if needed. */
function automationCommand(name: 'pause' | 'resume', description: string): Command {
  return temporalCommand({
    name,
    description,
    arguments: [],
    options: ['operator', 'reason'],
    async run(context) {
      const decision = context.decision();
      const state = await sendWithStart(context.client, context.taskQueue, name, decision);
      const text =
        state.paused === undefined
          ? `automation runs (resumed by ${decision.operator}); ${state.held.length} incident(s) held`
          : `automation paused by ${state.paused.operator}: fencing and verification in flight finish, nothing new starts; lazarus resume to go on`;
      context.print(text, state);
      return 0;
    },
  });
}

function sendWithStart(
  client: Client,
  taskQueue: string,
  name: 'pause' | 'resume',
  decision: OperatorDecision,
): Promise<StormGuardState> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof stormGuardWorkflow>(
    'stormGuardWorkflow',
    {
      ...stormGuardStartOptions(taskQueue),
      workflowIdConflictPolicy: 'USE_EXISTING',
    },
  );
  return client.workflow.executeUpdateWithStart(name === 'pause' ? pauseUpdate : resumeUpdate, {
    args: [decision],
    startWorkflowOperation,
  });
}

/** Lifts the suppression of a host's reports after an operator's abort (docs/design.md#suppression-after-an-abort). */
const unsuppress = temporalCommand({
  name: 'unsuppress',
  description:
    "Lifts the suppression of HOST's reports that an operator's abort began: its next report starts an incident again, which fences the host.",
  arguments: ['<host>'],
  options: ['operator', 'reason'],
  async run(context) {
    const [host = ''] = context.positionals;
    const decision = { ...context.decision(), host };
    const workflowId = stormGuardWorkflowId(context.taskQueue);
    let lifted;
    try {
      lifted = await context.client.workflow
        .getHandle(workflowId)
        .executeUpdate(unsuppressUpdate, { args: [decision] });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      throw new CommandFailed(
        `the storm guard ${workflowId} is not running, so no report of ${host} is suppressed; lazarus report ${host} starts its incident`,
      );
    }
    context.print(
      `reports of ${host} start incidents again (suppressed since ${lifted.abortedAt} by ${lifted.operator}'s abort, ${lifted.suppressedReports} report(s) answered suppressed; lifted by ${decision.operator})`,
      lifted,
    );
    return 0;
  },
});

export const GUARD_COMMANDS: Readonly<Record<string, Command>> = {
  approve: admittedCommand(
    'approve',
    'Admits the incidents the storm guard holds past the blast radius: the one of HOST, or all of them. Check first that the failures are real (not a partitioned observer).',
    ['[host]'],
    (guard, decision) => guard.executeUpdate(approveUpdate, { args: [decision] }),
  ),
  'reset-guard': admittedCommand(
    'reset-guard',
    'Forgets the incidents admitted within the window and admits every held one: after a storm, to start counting afresh.',
    [],
    (guard, decision) => guard.executeUpdate(resetGuardUpdate, { args: [decision] }),
  ),
  pause: automationCommand(
    'pause',
    'Pauses all automation of this deployment: no incident fences or starts an evacuation until lazarus resume; those in flight finish.',
  ),
  resume: automationCommand(
    'resume',
    'Resumes automation after lazarus pause; held incidents are decided again.',
  ),
  unsuppress,
};
