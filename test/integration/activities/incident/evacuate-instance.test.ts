// evacuateInstance sends at most one evacuate per instance and incident
// (docs/design.md#i2-exactly-once), whatever repeats it: a second call, a lost answer, a 500, or a
// human who evacuated first. Nova's records decide.
import type { Context } from '@temporalio/activity';
import { asyncLocalStorage } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { EVACUATE_RECORDING_MARGIN_MS } from '../../../../activities/errors.ts';
import { createActivities } from '../../../../activities/index.ts';
import { connectNovaOnFirstUse } from '../../../../activities/incident/index.ts';
import { DEFAULT_EVACUATION_POLICY, planEvacuation } from '../../../../domain/evacuation-policy.ts';
import { cloudName } from '../../../../simulator/clouds-yaml.ts';
import type { ApiFault } from '../../../../simulator/http/faults.ts';
import type { Simulator } from '../../../../simulator/simulator.ts';
import { captureLogs } from '../openstack/cloud.ts';
import {
  evacuatesOf,
  expectFailure,
  fencedAndForcedDown,
  TIME_SCALE,
  useIncidentCloud,
} from './incident-cloud.ts';

const cloud = useIncidentCloud({ hosts: 11, instancesPerHost: 3 });

/** The next evacuate POST meets `fault`. */
const faultOnNextEvacuate = (sim: Simulator, fault: ApiFault) => {
  sim.addFault({
    service: 'nova',
    endpoint: 'POST /servers/{id}/action',
    action: 'evacuate',
    fault,
    times: 1,
  });
};

/** An activity attempt that has `startToCloseMs` left from now. */
const attemptOf = (startToCloseMs: number) =>
  ({
    info: { currentAttemptScheduledTimestampMs: Date.now(), startToCloseTimeoutMs: startToCloseMs },
  }) as unknown as Context;

/**
 * An evacuate of `host`'s first instance whose POST times out after 2 s while Nova records it 4 s
 * after it was sent, so the read right after it still finds nothing (EvacuationOutcomeUnknown);
 * then `nextAttempt`, which must find that evacuate and send none.
 */
async function afterAnEvacuateRecordedLate(
  host: string,
  nextAttempt: (
    activities: ReturnType<typeof createActivities>,
    input: Awaited<ReturnType<typeof firstInstanceOfFencedHost>>,
  ) => Promise<{ outcome: string }>,
): Promise<void> {
  const { sim, dependencies } = cloud();
  const nova = connectNovaOnFirstUse({
    env: { OS_CLIENT_CONFIG_FILE: sim.cloudsYamlPath },
    cloud: cloudName,
    logger: captureLogs().logger,
    requestTimeoutMs: 2_000,
  });
  try {
    const activities = createActivities({ ...dependencies, nova, taskQueue: 'short-requests' });
    const input = await firstInstanceOfFencedHost(host);
    faultOnNextEvacuate(sim, { kind: 'latency', ms: 4_000 * TIME_SCALE });
    await expectFailure(activities.evacuateInstance(input), 'EvacuationOutcomeUnknown', true);
    expect(evacuatesOf(sim, input.instanceId)).toEqual([]);
    expect((await nextAttempt(activities, input)).outcome).toMatch(
      /^already(Evacuating|Evacuated)$/,
    );
    expect(evacuatesOf(sim, input.instanceId)).toHaveLength(1);
  } finally {
    await nova.close();
  }
}

async function firstInstanceOfFencedHost(host: string) {
  const fenced = await fencedAndForcedDown(cloud(), host);
  const [instance] = fenced.instances;
  if (instance === undefined) throw new Error(`${host} has no instances`);
  return {
    instanceId: instance.id,
    sourceHost: host,
    incidentId: `incident/${host}`,
    incidentStartedAt: fenced.incidentStartedAt,
  };
}

describe('evacuateInstance', () => {
  it('sends one evacuate when called twice; the second call returns the evacuation the first started', async () => {
    const { sim, activities } = cloud();
    const input = await firstInstanceOfFencedHost('cmp-01');
    const requestsBefore = sim.novaRequests();
    const first = await activities.evacuateInstance(input);
    // The pre-check is one request, the instance's evacuation migrations; then the POST.
    expect(sim.novaRequests() - requestsBefore).toBe(2);
    const [entry] = evacuatesOf(sim, input.instanceId);
    expect(first).toMatchObject({
      outcome: 'requested',
      requestId: entry?.requestId,
      microversion: { text: '2.95', doesEvacuateStopInstances: true },
    });

    const second = await activities.evacuateInstance(input);
    expect(second.outcome).toMatch(/^already(Evacuating|Evacuated)$/);
    expect(second).toMatchObject({
      requestId: entry?.requestId,
      migration: { id: entry?.migrationId, instanceId: input.instanceId, sourceCompute: 'cmp-01' },
    });
    expect(evacuatesOf(sim, input.instanceId)).toHaveLength(1);
  });

  it('finds the evacuation behind a lost answer, with its request id, and sends no second POST', async () => {
    const { sim, activities } = cloud();
    const input = await firstInstanceOfFencedHost('cmp-02');
    faultOnNextEvacuate(sim, { kind: 'lost-response' });
    const start = await activities.evacuateInstance(input);
    const [entry, ...more] = evacuatesOf(sim, input.instanceId);
    expect(more).toEqual([]);
    expect(start.outcome).toMatch(/^already(Evacuating|Evacuated)$/);
    expect(start).toMatchObject({
      requestId: entry?.requestId,
      migration: { id: entry?.migrationId },
    });
  });

  it('reports a 500 with no evacuation behind it as EvacuationOutcomeUnknown (retryable), and the next attempt sends the evacuate', async () => {
    const { sim, activities } = cloud();
    const input = await firstInstanceOfFencedHost('cmp-03');
    faultOnNextEvacuate(sim, { kind: 'status', status: 500 });
    const failure = await expectFailure(
      activities.evacuateInstance(input),
      'EvacuationOutcomeUnknown',
      true,
    );
    expect(failure.message).toMatch(
      new RegExp(
        `^evacuating instance ${input.instanceId} from host cmp-03 \\(incident/cmp-03\\): Nova answered 500 .*; the next attempt reads Nova again before deciding whether to send it$`,
      ),
    );
    expect(evacuatesOf(sim, input.instanceId)).toEqual([]);

    expect((await activities.evacuateInstance(input)).outcome).toBe('requested');
    expect(evacuatesOf(sim, input.instanceId)).toHaveLength(1);
  });

  it('recognises an instance a human evacuated first and returns their evacuation', async () => {
    const { sim, activities, nova } = cloud();
    const input = await firstInstanceOfFencedHost('cmp-04');
    const human = await nova.evacuate(input.instanceId);
    const start = await activities.evacuateInstance(input);
    expect(start.outcome).toMatch(/^already(Evacuating|Evacuated)$/);
    expect(start).toMatchObject({
      requestId: human.outcome === 'accepted' ? human.requestId : 'lost',
    });
    expect(evacuatesOf(sim, input.instanceId)).toHaveLength(1);
  });

  it('refuses with ComputeServiceStillUp, not retried, while Nova still counts the source compute up, and sends nothing', async () => {
    const { sim, activities } = cloud();
    const [instance] = await activities.listInstancesOnHost('cmp-05', []);
    if (instance === undefined) throw new Error('cmp-05 has no instances');
    const input = {
      instanceId: instance.id,
      sourceHost: 'cmp-05',
      incidentId: 'incident/cmp-05',
      incidentStartedAt: new Date().toISOString(),
    };
    const failure = await expectFailure(
      activities.evacuateInstance(input),
      'ComputeServiceStillUp',
      false,
    );
    expect(failure.message).toContain('Compute service of cmp-05 is still in use');
    expect(evacuatesOf(sim, instance.id)).toEqual([]);
  });

  it('does not send an evacuate that could outlive its attempt, so the next attempt can never overlap it', async () => {
    const { sim, activities } = cloud();
    const input = await firstInstanceOfFencedHost('cmp-07');
    // An attempt with 20 s left, less than the 30 s an evacuate POST may take.
    const attempt = attemptOf(20_000);
    const failure = await expectFailure(
      asyncLocalStorage.run(attempt, () => activities.evacuateInstance(input)),
      'CloudUnavailable',
      true,
    );
    expect(failure.message).toMatch(
      /: Nova's and Keystone's answers took so long that \d+ s are left of this attempt, less than the 30 s an evacuate may take, so it was not sent; the next attempt reads Nova again/,
    );
    expect(evacuatesOf(sim, input.instanceId)).toEqual([]);
    expect((await activities.evacuateInstance(input)).outcome).toBe('requested');
  });

  it('sends no evacuate when getting a token left less than its request timeout in the attempt', async () => {
    const { sim, activities } = cloud();
    const input = await firstInstanceOfFencedHost('cmp-08');
    // The POST's token is refused (as when Keystone revoked it early) and the new one takes 8 s: an
    // attempt with 35 s left when the reads are done has about 27 s when the evacuate could leave.
    faultOnNextEvacuate(sim, { kind: 'status', status: 401 });
    sim.addFault({
      service: 'keystone',
      endpoint: 'POST /v3/auth/tokens',
      fault: { kind: 'latency', ms: 8_000 * TIME_SCALE },
      times: 1,
    });
    const attempt = attemptOf(35_000);
    const outcome = asyncLocalStorage.run(attempt, () => activities.evacuateInstance(input));
    await outcome.catch(() => undefined);
    expect(evacuatesOf(sim, input.instanceId)).toEqual([]);
    const failure = await expectFailure(outcome, 'CloudUnavailable', true);
    expect(failure.message).toMatch(
      / s are left of this attempt, less than the 30 s an evacuate may take, so it was not sent/,
    );
  });

  it('after an evacuate whose answer never came, sends nothing on the next attempt once Nova recorded it', async () => {
    await afterAnEvacuateRecordedLate('cmp-09', async (activities, input) => {
      // The next attempt starts no sooner than the failure's nextRetryDelay (10 s,
      // docs/nova-and-bmc-facts.md#the-evacuate-deadline): Nova has recorded the evacuate by then.
      await new Promise((resolve) => setTimeout(resolve, EVACUATE_RECORDING_MARGIN_MS));
      return activities.evacuateInstance(input);
    });
  });

  it('after an attempt that may have sent an evacuate, trusts Nova showing nothing only once its recording margin passed, and sends nothing', async () => {
    await afterAnEvacuateRecordedLate('cmp-10', (activities, input) => {
      // The next attempt starts at once, as after a worker lost mid-POST (heartbeat timeout), and
      // reads the earlier attempt's heartbeat: it may have sent. Nova still shows nothing at its
      // first read; sending then would make a second evacuate.
      const next = {
        info: {
          currentAttemptScheduledTimestampMs: Date.now(),
          startToCloseTimeoutMs: 60_000,
          heartbeatDetails: { mayHaveSentEvacuate: true },
        },
      } as unknown as Context;
      return asyncLocalStorage.run(next, () => activities.evacuateInstance(input));
    });
  });

  it('after an earlier call of the activity failed, likewise waits out the margin before trusting Nova showing nothing', async () => {
    // The workflow's next call once the activity used up its retries: a new activity, which cannot
    // read the failed one's heartbeats, so the workflow tells it.
    await afterAnEvacuateRecordedLate('cmp-11', (activities, input) =>
      activities.evacuateInstance({ ...input, isAfterFailedCall: true }),
    );
  });

  it('leaves an instance that is no longer on the failed host alone and says where it is', async () => {
    const { sim, activities } = cloud();
    // One of cmp-06's own, not one that an evacuation of the tests above landed there.
    const instance = (await activities.listInstancesOnHost('cmp-06', [])).find(
      (candidate) => evacuatesOf(sim, candidate.id).length === 0,
    );
    if (instance === undefined) throw new Error('cmp-06 has no instances of its own');
    const start = await activities.evacuateInstance({
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      incidentId: 'incident/cmp-01',
      incidentStartedAt: new Date().toISOString(),
    });
    expect(start).toMatchObject({ outcome: 'notOnSourceHost', host: 'cmp-06' });
    expect(evacuatesOf(sim, instance.id)).toEqual([]);
  });
});

describe('listInstancesOnHost', () => {
  it("lists every project's instances of the host as policy facts and nothing more, with image properties left empty", async () => {
    const { sim, activities, nova } = cloud();
    const instances = await activities.listInstancesOnHost('cmp-06', ['HA_Enabled']);
    const expected = sim
      .state()
      .instances.filter((i) => i.host === 'cmp-06')
      .map((i) => i.uuid)
      .sort();
    expect(instances.map((i) => i.id).sort()).toEqual(expected);
    expect(
      new Set((await nova.listInstancesOnHost('cmp-06')).map((i) => i.projectId)).size,
    ).toBeGreaterThan(1);
    for (const instance of instances) {
      // What goes into the incident's history: the policy's facts, no tenant, host or volume detail.
      expect(Object.keys(instance).sort()).toEqual([
        'flavorExtraSpecs',
        'id',
        'imageProperties',
        'isBootFromVolume',
        'isLocked',
        'metadata',
        'name',
        'status',
      ]);
      expect(instance.imageProperties).toEqual({});
      expect(Object.keys(instance.metadata).filter((key) => key !== 'HA_Enabled')).toEqual([]);
    }
    expect(instances.some((instance) => instance.metadata.HA_Enabled !== undefined)).toBe(true);
    const unmarked = await activities.listInstancesOnHost('cmp-06', []);
    expect(unmarked.every((instance) => Object.keys(instance.metadata).length === 0)).toBe(true);
    const plan = planEvacuation(instances, {
      ...DEFAULT_EVACUATION_POLICY,
      protect: 'all',
      imageBackedOnLocalDisk: 'evacuate',
    });
    expect(plan.evacuate).toHaveLength(instances.length);
    // Plain data: what crosses into workflow history survives JSON unchanged.
    expect(JSON.parse(JSON.stringify(instances))).toEqual(instances);
  });
});
