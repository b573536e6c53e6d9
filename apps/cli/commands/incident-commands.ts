// The incident commands of `lazarus`: list incidents, show one, report a host failure, and the
// operator's decisions on an incident (each an Update the workflow validates: a decision that does
// not apply in the incident's phase is refused with the reason, and exits 1).
import type { Client, WorkflowHandle } from '@temporalio/client';
import type {
  IncidentPhase,
  IncidentState,
  OperatorDecision,
} from '../../../contracts/incident-messages.ts';
import {
  abortUpdate,
  retryNowUpdate,
  confirmFencedUpdate,
  incidentWorkflowId,
  readmitUpdate,
  retryFencingUpdate,
  stateQuery,
} from '../../../contracts/incident-messages.ts';
import { LazarusHost, LazarusPhase } from '../../../contracts/search-attributes.ts';
import { describeWaiting } from '../../../domain/outage-waits.ts';
import { isSuppressed, sendHostReport } from '../../../client/send-host-report.ts';
import type { IncidentSummary } from './incident-tables.ts';
import { incidentReport, incidentsTable } from './incident-tables.ts';
import type { Command, CommandContext } from './temporal-command.ts';
import { CommandFailed, temporalCommand } from './temporal-command.ts';

const QUERY_DEADLINE_MS = 10_000;

/** The incident's state: its result once completed, else its answer to the state query. */
export async function readIncidentState(
  client: Client,
  handle: WorkflowHandle,
): Promise<IncidentState> {
  const description = await handle.describe();
  if (description.status.name === 'COMPLETED') return (await handle.result()) as IncidentState;
  const ask = () =>
    client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(stateQuery));
  try {
    // Asked twice: a worker that died holding the incident in its cache keeps its queries until
    // Temporal gives up on it, and the second asking goes to a worker that is alive.
    return await ask().catch(ask);
  } catch (error) {
    throw new CommandFailed(
      `${handle.workflowId} did not answer its state query (${error instanceof Error ? error.message : String(error)}); ` +
        `is a Lazarus worker running on task queue ${description.taskQueue}?`,
    );
  }
}

function host(context: CommandContext): string {
  const [name] = context.positionals;
  if (name === undefined) throw new CommandFailed('name the host');
  return name;
}

const incidents = temporalCommand({
  name: 'incidents',
  arguments: [],
  options: [],
  description:
    'Lists every running incident (incident/<host>), with what it waits for. Exits 0, also when there is none.',
  async run(context) {
    const { client } = context;
    const summaries: Promise<IncidentSummary>[] = [];
    for await (const execution of client.workflow.list({
      query: 'WorkflowType = "incidentWorkflow" AND ExecutionStatus = "Running"',
    })) {
      const handle = client.workflow.getHandle(execution.workflowId);
      const summary = {
        host:
          execution.typedSearchAttributes.get(LazarusHost) ??
          execution.workflowId.replace(/^incident\//, ''),
        workflowId: execution.workflowId,
        phase: execution.typedSearchAttributes.get(LazarusPhase) ?? '?',
        startedAt: execution.startTime,
      };
      summaries.push(
        readIncidentState(client, handle).then(
          (state) => ({ ...summary, state }),
          () => summary,
        ),
      );
    }
    const listed = (await Promise.all(summaries)).sort(
      (a, b) => a.startedAt.getTime() - b.startedAt.getTime(),
    );
    context.print(incidentsTable(listed, new Date()), listed);
    return 0;
  },
});

const show = temporalCommand({
  name: 'show',
  arguments: ['<host>'],
  options: [],
  description:
    'Shows the incident of HOST (incident/HOST), open or closed: its phase, its fencing proof, and where each instance went.',
  async run(context) {
    const state = await readIncidentState(
      context.client,
      context.client.workflow.getHandle(incidentWorkflowId(host(context))),
    );
    context.print(incidentReport(state), state);
    return 0;
  },
});

const report = temporalCommand({
  name: 'report',
  arguments: ['<host>'],
  options: ['reason', 'reporter'],
  description:
    'Reports HOST as failed, as a health checker would: the first report starts its incident (which fences the host), later ones join it.',
  async run(context) {
    const { client, incidents: startOptions, options } = context;
    const failure = {
      host: host(context),
      reporter: options.reporter ?? 'lazarus-cli',
      ...(options.reason === undefined ? {} : { reason: options.reason }),
    };
    const receipt = await sendHostReport(client, failure, startOptions);
    if (isSuppressed(receipt)) {
      context.print(`lazarus report: ${receipt.suppressed}`, receipt);
      return 1;
    }
    context.print(
      `reported ${receipt.host}: incident ${receipt.workflowId} (run ${receipt.runId}); follow it with: lazarus show ${receipt.host}`,
      receipt,
    );
    return 0;
  },
});

const retry = temporalCommand({
  name: 'retry',
  arguments: ['<host>'],
  options: [],
  description:
    "While a step of HOST's incident waits for Nova or Keystone (an outage, or an answer such as 401 or 403 whose cause you fixed), or its instances wait for room on other hosts: try now instead of at the next scheduled try.",
  async run(context) {
    const handle = context.client.workflow.getHandle(incidentWorkflowId(host(context)));
    const woken = await handle.executeUpdate(retryNowUpdate);
    context.print(
      `${handle.workflowId}: retrying now (${woken} waiting step${woken === 1 ? '' : 's'}); follow it with: lazarus show ${host(context)}`,
      { workflowId: handle.workflowId, woken },
    );
    return 0;
  },
});

/** An operator's decision on one incident, sent as an Update; prints the phase the incident is in afterwards. */
function decisionCommand(
  name: string,
  description: string,
  send: (handle: WorkflowHandle, decision: OperatorDecision) => Promise<IncidentPhase>,
  isRecorded = true,
): Command {
  return temporalCommand({
    name,
    description,
    arguments: ['<host>'],
    options: isRecorded ? ['operator', 'reason'] : [],
    async run(context) {
      const decision = context.decision();
      const handle = context.client.workflow.getHandle(incidentWorkflowId(host(context)));
      const phase = await send(handle, decision);
      const by = isRecorded ? { ...decision } : {};
      // A re-admission that waits for Nova answers at once; say what it waits for.
      const { waiting } =
        phase === 'Readmitting' ? await handle.query(stateQuery) : { waiting: undefined };
      context.print(
        `${handle.workflowId}: ${name} accepted${isRecorded ? ` from ${decision.operator}` : ''}; phase now ${phase}` +
          (waiting === undefined ? '' : `; ${describeWaiting(waiting, host(context))}`),
        {
          workflowId: handle.workflowId,
          phase,
          ...by,
          ...(waiting === undefined ? {} : { waiting }),
        },
      );
      return 0;
    },
  });
}

export const INCIDENT_COMMANDS: Readonly<Record<string, Command>> = {
  incidents,
  show,
  report,
  retry,
  'confirm-fenced': decisionCommand(
    'confirm-fenced',
    'While fencing of HOST is unproven: you powered it off by other means (PDU, data centre staff) and take responsibility; the incident goes on to evacuate.',
    (handle, decision) => handle.executeUpdate(confirmFencedUpdate, { args: [decision] }),
  ),
  'retry-fencing': decisionCommand(
    'retry-fencing',
    'While fencing of HOST is unproven: try its BMC again (after fixing the BMC or its network).',
    (handle) => handle.executeUpdate(retryFencingUpdate),
    false,
  ),
  abort: decisionCommand(
    'abort',
    'While fencing of HOST is unproven or the storm guard holds its incident: close the incident without touching Nova.',
    (handle, decision) => handle.executeUpdate(abortUpdate, { args: [decision] }),
  ),
  readmit: decisionCommand(
    'readmit',
    'Once HOST is repaired and its nova-compute reports up: clear forced_down, enable the service and close the incident (while Nova is away, answered at once; the incident goes on when Nova answers).',
    (handle, decision) => handle.executeUpdate(readmitUpdate, { args: [decision] }),
  ),
};
