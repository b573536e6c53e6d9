// Proof that an evacuated instance landed (docs/nova-and-bmc-facts.md#landing-proof): its newest
// evacuation of this incident is done, task_state cleared, the host changed and the status is the
// one its microversion promises. "Not yet" is a retryable EvacuationInProgress, so the activity's
// retry policy is the backoff.
import { LazarusError } from '../errors.ts';
import type { Instance, Migration, NovaClient } from '../openstack/index.ts';
import { expectedStatusAfterEvacuation, judgeLanding } from '../../domain/evacuation-records.ts';
import { readExistingEvacuation } from './existing-evacuation.ts';

export interface VerifyLandingInput {
  instanceId: string;
  sourceHost: string;
  /** The status the instance had on the failed host, before the evacuation. */
  statusBefore: string;
  incidentStartedAt: string;
  /** Whether the evacuate was sent at 2.95+, where Nova stops the instance on its destination. */
  doesEvacuateStopInstances: boolean;
}

export type LandingReport =
  | { outcome: 'landed'; host: string; status: string; migration: Migration }
  | {
      outcome: 'failed';
      reason: string;
      /** Where Nova places the instance now: a retry elsewhere makes sense only while it is still sourceHost. */
      host: string | null;
      status: string;
      migration: Migration | null;
    };

export async function verifyLanding(
  nova: NovaClient,
  input: VerifyLandingInput,
): Promise<LandingReport> {
  const existing = await readExistingEvacuation(nova, input);
  const migration = existing.kind === 'none' ? undefined : existing.migration;
  const landing = await landingIn(nova, input, migration);
  if ('waitingFor' in landing) {
    throw new LazarusError(
      'EvacuationInProgress',
      `instance ${input.instanceId} is still being evacuated from host ${input.sourceHost}: waiting for ${landing.waitingFor}; verification is retried with backoff`,
      {
        instanceId: input.instanceId,
        sourceHost: input.sourceHost,
        migrationId: migration?.id ?? null,
      },
    );
  }
  return landing;
}

/**
 * The instance judged against its newest evacuation: read after the migration, since Nova marks it
 * done last, so a done migration means the server is final.
 */
export async function landingIn(
  nova: NovaClient,
  input: VerifyLandingInput,
  migration: Migration | undefined,
): Promise<LandingReport | { waitingFor: string }> {
  return landingOf(await nova.getInstance(input.instanceId), input, migration);
}

/** `instance` as Nova showed it after `migration` was listed, judged as landingIn judges it. */
export function landingOf(
  instance: Instance,
  input: VerifyLandingInput,
  migration: Migration | undefined,
): LandingReport | { waitingFor: string } {
  const expected = expectedStatusAfterEvacuation(
    input.statusBefore,
    input.doesEvacuateStopInstances,
  );
  const landing = judgeLanding(
    migration,
    {
      host: instance.host,
      status: instance.status,
      taskState: instance.taskState,
      faultMessage: instance.fault?.message ?? null,
    },
    input.sourceHost,
    expected,
  );
  if (landing.verdict === 'inProgress') return { waitingFor: landing.waitingFor };
  if (landing.verdict === 'landed')
    return {
      outcome: 'landed',
      host: landing.host,
      status: instance.status,
      migration: landing.migration,
    };
  return {
    outcome: 'failed',
    reason: landing.reason,
    host: instance.host,
    status: instance.status,
    migration: migration ?? null,
  };
}
