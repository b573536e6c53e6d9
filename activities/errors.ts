// Every failure an activity can report, as a typed error the workflows branch on. Whether a type
// is retryable is decided here and nowhere else. Messages are for operators: they say what
// happened, to what, and what to do next — and never contain a password, token or secret.
import { ApplicationFailure } from '@temporalio/common';

const RETRYABLE = {
  /** Keystone or Nova answered 5xx/503, timed out, or the connection broke on a safe request. */
  CloudUnavailable: true,
  /** Credentials were rejected even after one re-authentication: a configuration problem. */
  AuthenticationFailed: false,
  /** The account lacks a role or policy (403). */
  PermissionDenied: false,
  /** Nova does not know the server, service, host or migration asked for (404). */
  NotFound: false,
  /** Nova refused the request as invalid or in conflict with the resource's state (400/409). */
  RequestRejected: false,
  /** Evacuate answered 400 "Compute service of H is still in use.": the host is not (yet) seen down. */
  ComputeServiceStillUp: false,
  /** `forced_down:false` refused while `done` evacuations remain (the source compute has not restarted). */
  EvacuationsNotCompleted: true,
  /** The instance has a task in progress; acting now would race it. */
  InstanceBusy: true,
  /** An evacuate was sent, its answer was lost, and Nova shows no evacuation yet: read again before deciding. */
  EvacuationOutcomeUnknown: true,
  /** Nova is still evacuating the instance (migration not yet done, or task_state not yet cleared). */
  EvacuationInProgress: true,
  /** No microversion both Lazarus and this Nova support. */
  MicroversionUnsupported: false,
  /** Keystone or Nova answered in a shape Lazarus cannot trust (schema mismatch, microversion not honoured). */
  UnexpectedResponse: false,
  /** The BMC could not be reached or answered with an error; another attempt may succeed. */
  BmcUnavailable: true,
  /** The BMC rejected the credentials. */
  BmcAuthenticationFailed: false,
  /** The BMC does not offer what fencing needs (e.g. ForceOff is not an allowed ResetType). */
  BmcUnsupported: false,
  /** Power-off was sent but the power state was not read back Off before the deadline. */
  FencingUnproven: false,
  /** Lazarus's own configuration is invalid or incomplete. */
  ConfigurationInvalid: false,
} as const satisfies Record<string, boolean>;

export type LazarusErrorType = keyof typeof RETRYABLE;

/**
 * How long Nova may take to record an evacuate it was sent before a pre-check may trust its
 * silence (docs/nova-and-bmc-facts.md#the-evacuate-deadline).
 */
export const EVACUATE_RECORDING_MARGIN_MS = 10_000;

/**
 * Failures retried no sooner than this, whatever the activity's retry policy says: after an
 * evacuate whose outcome is unknown, Nova gets its margin to record it before the next attempt
 * reads and decides.
 */
const RETRY_NO_SOONER_THAN_MS: Partial<Record<LazarusErrorType, number>> = {
  EvacuationOutcomeUnknown: EVACUATE_RECORDING_MARGIN_MS,
};

export function isRetryable(type: LazarusErrorType): boolean {
  return RETRYABLE[type];
}

export class LazarusError extends Error {
  override readonly name = 'LazarusError';
  readonly type: LazarusErrorType;
  /** Extra facts for the workflow (HTTP status, request id, power state read back…); never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    type: LazarusErrorType,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.type = type;
    this.details = details;
  }

  get retryable(): boolean {
    return isRetryable(this.type);
  }

  /** The form in which the failure crosses into workflow history. */
  toApplicationFailure(): ApplicationFailure {
    const noSoonerThanMs = RETRY_NO_SOONER_THAN_MS[this.type];
    return ApplicationFailure.create({
      type: this.type,
      message: this.message,
      nonRetryable: !this.retryable,
      details: [this.details],
      ...(noSoonerThanMs === undefined ? {} : { nextRetryDelay: noSoonerThanMs }),
    });
  }
}
