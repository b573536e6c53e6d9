// Nova's error answers as typed errors (docs/nova-and-bmc-facts.md#error-bodies, and the messages
// in docs/nova-and-bmc-facts.md#updating-a-service and docs/nova-and-bmc-facts.md#evacuate-errors),
// each with what the operator or the workflow should do next.
import { z } from 'zod';
import type { LazarusErrorType } from '../errors.ts';
import { LazarusError } from '../errors.ts';
import type { ConnectionFailure } from './http-transport.ts';

// {"badRequest": {"code": 400, "message": "…"}}, and keystonemiddleware's {"error": {…}}.
const faultBodySchema = z.record(z.string(), z.object({ message: z.string() }).loose());

function messageOf(body: unknown): string | undefined {
  const parsed = faultBodySchema.safeParse(body);
  return parsed.success ? Object.values(parsed.data)[0]?.message : undefined;
}

const STILL_IN_USE = /Compute service of .+ is still in use/;
const DONE_EVACUATIONS_REMAIN = '`done` evacuation migration records remain';
const IN_TASK_STATE = 'while it is in task_state';

function typeOf(status: number, message: string): NovaErrorType {
  if (status === 400 && STILL_IN_USE.test(message)) return 'ComputeServiceStillUp';
  if (status === 400 && message.includes(DONE_EVACUATIONS_REMAIN)) return 'EvacuationsNotCompleted';
  if (status === 409 && message.includes(IN_TASK_STATE)) return 'InstanceBusy';
  if (status === 401) return 'AuthenticationFailed';
  if (status === 403) return 'PermissionDenied';
  if (status === 404) return 'NotFound';
  if (status === 406) return 'MicroversionUnsupported';
  if (status === 413 || status === 429 || status >= 500) return 'CloudUnavailable';
  return 'RequestRejected';
}

const nextStep = {
  ComputeServiceStillUp:
    'Nova still counts the source compute service as up; evacuate only after the host is fenced and its service forced down, never in a tight loop',
  EvacuationsNotCompleted:
    'Nova keeps the host forced down until its restarted nova-compute has marked the evacuations completed; start nova-compute on the repaired host, then retry',
  InstanceBusy:
    'the instance has a task in progress; wait for it to finish, then read the instance again',
  AuthenticationFailed: 'check the credentials, then retry',
  PermissionDenied:
    "give the account the admin role on its project (Nova's admin APIs need a project-scoped admin token)",
  NotFound: 'check the id or host name; it may have been deleted or renamed',
  MicroversionUnsupported:
    'Nova no longer offers the microversion negotiated at start; restart the worker to negotiate again',
  CloudUnavailable: 'Nova is failing or overloaded; retry later',
  RequestRejected:
    "read the resource again: the request does not fit its current state or Nova's schema",
} as const satisfies Partial<Record<LazarusErrorType, string>>;
type NovaErrorType = keyof typeof nextStep;

/** The typed error for Nova's non-2xx answer to `operation` (e.g. "evacuate instance 1f…"). */
export function novaFailure(
  operation: string,
  status: number,
  body: unknown,
  requestId: string | null,
): LazarusError {
  const message = messageOf(body) ?? (typeof body === 'string' ? body.slice(0, 200) : '');
  const type = typeOf(status, message);
  const verb = status >= 500 ? 'failed to' : 'refused to';
  return new LazarusError(
    type,
    `Nova ${verb} ${operation} (${status}${message === '' ? '' : `: "${message}"`}); ${nextStep[type]}`,
    {
      operation,
      status,
      novaMessage: message,
      requestId,
    },
  );
}

/** Nova never answered: the connection failed or the deadline passed. */
export function novaUnreachable(operation: string, error: ConnectionFailure): LazarusError {
  return new LazarusError(
    'CloudUnavailable',
    `Nova did not answer the request to ${operation}: ${error.message}; check Nova's API service and the network`,
    {
      operation,
      mayHaveTakenEffect: error.mayHaveTakenEffect,
    },
    { cause: error },
  );
}
