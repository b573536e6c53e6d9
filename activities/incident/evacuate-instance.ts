// Evacuate one instance exactly once (docs/design.md#i2-exactly-once). Nova accepts a second
// evacuate of the same instance and damages it
// (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate), so Nova's own records decide:
// read the instance's evacuation migrations since the incident began, and POST only when there is
// none. Every retry of this activity reads again first.
import { LazarusError } from '../errors.ts';
import type { EvacuationRequest, Migration, NovaClient } from '../openstack/index.ts';
import type { EvacuationQuery, ExistingEvacuation } from '../../domain/evacuation-records.ts';
import type { EvacuateAttempt } from './evacuate-attempt.ts';
import { readExistingEvacuation } from './existing-evacuation.ts';

/** The instance, its failed host, when the incident began, and any failed evacuation to retry after. */
export interface EvacuateInstanceInput extends EvacuationQuery {
  /** For messages: incident/<host>. */
  incidentId: string;
  /**
   * An earlier call for this evacuation failed and may have sent an evacuate Nova has not recorded
   * yet: Nova's silence counts only after its recording margin (evacuate-attempt.ts).
   */
  isAfterFailedCall?: boolean;
}

export type EvacuationStart =
  /** Nova accepted our evacuate just now. */
  | { outcome: 'requested'; requestId: string | null }
  /** An evacuation since the incident began is under way (ours whose answer was lost, or a human's). */
  | { outcome: 'alreadyEvacuating'; migration: Migration; requestId: string | null }
  /** An evacuation since the incident began is done. */
  | { outcome: 'alreadyEvacuated'; migration: Migration; requestId: string | null }
  /** The newest evacuation since the incident began failed; retry only with retryAfterMigrationId. */
  | { outcome: 'previousEvacuationFailed'; migration: Migration; requestId: string | null }
  /** The server is no longer on the failed host, and no evacuation of this incident moved it. */
  | { outcome: 'notOnSourceHost'; host: string | null };

const OUTCOME_OF = {
  inProgress: 'alreadyEvacuating',
  finished: 'alreadyEvacuated',
  failed: 'previousEvacuationFailed',
} as const;

export async function evacuateOnce(
  nova: NovaClient,
  input: EvacuateInstanceInput,
  attempt: EvacuateAttempt,
): Promise<EvacuationStart> {
  let found = await lookInNova(nova, input);
  // An earlier attempt may have sent an evacuate that Nova has not recorded yet: its silence counts
  // only once Nova's recording margin has passed (evacuate-attempt.ts).
  if (found === 'nothing' && (await attempt.waitOutEarlierEvacuates()))
    found = await lookInNova(nova, input);
  if (found !== 'nothing') return found;
  // task_state is no guard: evacuate has none
  // (docs/nova-and-bmc-facts.md#no-guard-against-a-second-evacuate), a task the dead compute left
  // never clears, and an evacuation in flight is already found above by its migration, which Nova
  // creates in the same request that sets task_state rebuilding
  // (docs/nova-and-bmc-facts.md#migration-statuses).
  //
  // Sent only with the attempt confirmed by Temporal and its whole request timeout before the
  // attempt's startToClose, and abandoned when either may have passed: a timed-out attempt's POST
  // can never overlap the next attempt's (docs/nova-and-bmc-facts.md#the-evacuate-deadline).
  const request = await refusedIfMoved(
    nova,
    input,
    attempt.sending((abandon) =>
      nova.evacuate(input.instanceId, undefined, {
        mustEndBy: attempt.endsAt,
        ...(abandon === undefined ? {} : { abandon }),
      }),
    ),
  );
  if (request.outcome === 'notOnSourceHost') return request;
  if (request.outcome === 'accepted') return { outcome: 'requested', requestId: request.requestId };
  if (request.outcome === 'notSent') {
    const { timeLeftMs, requestTimeoutMs } = request;
    throw new LazarusError(
      'CloudUnavailable',
      `evacuating instance ${input.instanceId} from host ${input.sourceHost} (${input.incidentId}): Nova's and Keystone's answers took so long that ${Math.max(0, Math.round(timeLeftMs / 1000))} s are left of this attempt, less than the ${requestTimeoutMs / 1000} s an evacuate may take, so it was not sent; the next attempt reads Nova again (give evacuateInstance a longer startToClose if this repeats)`,
      {
        instanceId: input.instanceId,
        sourceHost: input.sourceHost,
        incidentId: input.incidentId,
        timeLeftMs,
      },
    );
  }
  // The POST may or may not have been accepted: Nova's records say which. Never a second POST here.
  const after = await readExistingEvacuation(nova, input);
  if (after.kind !== 'none') return reported(nova, input, after);
  throw new LazarusError(
    'EvacuationOutcomeUnknown',
    `evacuating instance ${input.instanceId} from host ${input.sourceHost} (${input.incidentId}): ${request.reason}, and Nova shows no evacuation of it yet; the next attempt reads Nova again before deciding whether to send it`,
    {
      instanceId: input.instanceId,
      sourceHost: input.sourceHost,
      incidentId: input.incidentId,
    },
  );
}

/** What Nova holds for the instance since the incident began, or `nothing`: the evacuate may be sent. */
async function lookInNova(
  nova: NovaClient,
  input: EvacuateInstanceInput,
): Promise<EvacuationStart | 'nothing'> {
  const before = await readExistingEvacuation(nova, input);
  return before.kind === 'none' ? 'nothing' : reported(nova, input, before);
}

/** Nova's refusals of an evacuate that mean "not here" when the server has left the failed host. */
const REFUSED_ELSEWHERE: ReadonlySet<string> = new Set([
  'ComputeServiceStillUp',
  'InstanceBusy',
  'RequestRejected',
]);

/**
 * Where the server is, read only when Nova refused the evacuate: a server with no evacuation of this
 * incident leaves a fenced, forced-down host in no other way than a human's evacuation, which the
 * pre-check finds, so that read before every POST was one request per instance spent on what does
 * not happen (docs/design.md#nova-requests-per-instance). If it happens all the same, Nova refuses
 * the evacuate of a server on an up host ("still in use") or without a host, and this says where it
 * went; a refusal of a server still on the failed host stays the error it was.
 */
async function refusedIfMoved(
  nova: NovaClient,
  input: EvacuateInstanceInput,
  request: Promise<EvacuationRequest>,
): Promise<EvacuationRequest | Extract<EvacuationStart, { outcome: 'notOnSourceHost' }>> {
  try {
    return await request;
  } catch (error) {
    if (!(error instanceof LazarusError) || !REFUSED_ELSEWHERE.has(error.type)) throw error;
    const { host } = await nova.getInstance(input.instanceId);
    if (host === input.sourceHost) throw error;
    return { outcome: 'notOnSourceHost', host };
  }
}

async function reported(
  nova: NovaClient,
  input: EvacuateInstanceInput,
  existing: Exclude<ExistingEvacuation<Migration>, { kind: 'none' }>,
): Promise<EvacuationStart> {
  const { migration } = existing;
  return {
    outcome: OUTCOME_OF[existing.kind],
    migration,
    requestId: await requestIdOf(nova, input.instanceId, migration),
  };
}

/**
 * The request id of the evacuate behind `migration`: Nova records the POST's request id as the
 * instance action's (docs/nova-and-bmc-facts.md#instance-actions), started when the migration was
 * created; the nearest evacuate action wins.
 */
async function requestIdOf(
  nova: NovaClient,
  instanceId: string,
  migration: Migration,
): Promise<string | null> {
  const created = Date.parse(migration.createdAt);
  const distance = (time: string) => Math.abs(Date.parse(time) - created);
  const evacuations = (await nova.listInstanceActions(instanceId)).filter(
    (action) => action.action === 'evacuate',
  );
  evacuations.sort((a, b) => distance(a.startTime) - distance(b.startTime));
  return evacuations[0]?.requestId ?? null;
}
