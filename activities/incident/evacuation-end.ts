// An evacuation workflow that closed without an outcome of its own was stopped from outside: an
// operator terminated or cancelled it (the Web UI, `temporal workflow terminate`), or it failed or
// timed out. The incident records that as the instance's outcome, with who and why, and goes on
// with the others (docs/design.md#i9-liveness). Who and why are in the workflow's closing event,
// which only a client can read, so an activity does.
import { Context } from '@temporalio/activity';
// A CommonJS package: Node's ESM loader gives it as one default export, not named ones.
import proto from '@temporalio/proto';

export interface EvacuationEnd {
  closedAs: 'terminated' | 'cancelled' | 'timedOut' | 'failed' | 'unknown';
  /** The identity of whoever terminated it, as Temporal recorded it. */
  by?: string;
  /** The reason an operator gave, or the failure's message. */
  reason?: string;
}

const { EventType } = proto.temporal.api.enums.v1;

export async function describeEvacuationEnd(workflowId: string): Promise<EvacuationEnd> {
  const { client } = Context.current();
  // The generated service method is typed for its callback form too; the promise form is the one used.
  const { history } = await (client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace: client.options.namespace,
    execution: { workflowId },
    maximumPageSize: 1,
  }) as Promise<proto.temporal.api.workflowservice.v1.IGetWorkflowExecutionHistoryReverseResponse>);
  const closing = history?.events?.[0];
  switch (closing?.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: {
      const attributes = closing.workflowExecutionTerminatedEventAttributes;
      return {
        closedAs: 'terminated',
        ...textOf('by', attributes?.identity),
        ...textOf('reason', attributes?.reason),
      };
    }
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      return { closedAs: 'cancelled' };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
      return { closedAs: 'timedOut' };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      return {
        closedAs: 'failed',
        ...textOf('reason', closing.workflowExecutionFailedEventAttributes?.failure?.message),
      };
    default:
      return { closedAs: 'unknown' };
  }
}

const textOf = <K extends 'by' | 'reason'>(
  key: K,
  text: string | null | undefined,
): Partial<Record<K, string>> =>
  text === null || text === undefined || text === ''
    ? {}
    : ({ [key]: text } as Partial<Record<K, string>>);
