// verifyLanding: landed with the status the microversion promises (2.93 keeps the power state, 2.95
// stops the instance), "still in progress" as a retryable failure, and a failed landing with its reason.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { LandingReport } from '../../../../activities/incident/index.ts';
import type { IncidentCloud } from './incident-cloud.ts';
import { expectFailure, fencedAndForcedDown, until, useIncidentCloud } from './incident-cloud.ts';

type LandingInput = Parameters<IncidentCloud['activities']['verifyLanding']>[0];

/** What the workflow's retry policy does: call again while the answer is the retryable EvacuationInProgress. */
function landingOf(cloud: IncidentCloud, input: LandingInput): Promise<LandingReport> {
  return until(async () => {
    try {
      return await cloud.activities.verifyLanding(input);
    } catch (error) {
      if (error instanceof ApplicationFailure && error.type === 'EvacuationInProgress')
        return undefined;
      throw error;
    }
  }, `instance ${input.instanceId} to land`);
}

/** Evacuates every instance of a failed host and returns, per status before, the statuses they landed in. */
async function evacuateHostAndVerify(
  cloud: IncidentCloud,
  host: string,
): Promise<Record<string, string[]>> {
  const { incidentStartedAt, instances } = await fencedAndForcedDown(cloud, host);
  const landed: Record<string, string[]> = {};
  for (const instance of instances) {
    const start = await cloud.activities.evacuateInstance({
      incidentId: `incident/${host}`,
      instanceId: instance.id,
      sourceHost: host,
      incidentStartedAt,
    });
    expect(start.outcome).toBe('requested');
    const landing = await landingOf(cloud, {
      instanceId: instance.id,
      sourceHost: host,
      statusBefore: instance.status,
      incidentStartedAt,
      doesEvacuateStopInstances: start.microversion.doesEvacuateStopInstances,
    });
    expect(landing).toMatchObject({
      outcome: 'landed',
      migration: { status: 'done', instanceId: instance.id },
    });
    if (landing.outcome === 'landed') expect(landing.host).not.toBe(host);
    (landed[instance.status] ??= []).push(landing.status);
  }
  return landed;
}

// Seed 11 puts ACTIVE, SHUTOFF and ERROR instances on cmp-01.
const seeded = { hosts: 3, instancesPerHost: 10, seed: 11 };

describe('verifyLanding at 2.93', () => {
  const cloud = useIncidentCloud({ ...seeded, novaMaxMicroversion: 93 });

  it('finds every instance landed in its power state: ACTIVE stays ACTIVE, SHUTOFF stays SHUTOFF, ERROR is rebuilt ACTIVE', async () => {
    const landed = await evacuateHostAndVerify(cloud(), 'cmp-01');
    expect(Object.keys(landed).sort()).toEqual(['ACTIVE', 'ERROR', 'SHUTOFF']);
    expect(new Set(landed.ACTIVE)).toEqual(new Set(['ACTIVE']));
    expect(new Set(landed.SHUTOFF)).toEqual(new Set(['SHUTOFF']));
    expect(new Set(landed.ERROR)).toEqual(new Set(['ACTIVE']));
    expect(cloud().sim.invariants().violations).toEqual([]);
  });
});

describe('verifyLanding at 2.95', () => {
  const cloud = useIncidentCloud({ ...seeded, novaMaxMicroversion: 95 });

  it('finds every instance landed stopped, except an ERROR one, which is rebuilt ACTIVE', async () => {
    const landed = await evacuateHostAndVerify(cloud(), 'cmp-01');
    expect(new Set(landed.ACTIVE)).toEqual(new Set(['SHUTOFF']));
    expect(new Set(landed.SHUTOFF)).toEqual(new Set(['SHUTOFF']));
    expect(new Set(landed.ERROR)).toEqual(new Set(['ACTIVE']));
  });

  it('reports a landing in the wrong status as failed, with the status it found', async () => {
    const c = cloud();
    const { incidentStartedAt, instances } = await fencedAndForcedDown(c, 'cmp-02');
    const instance = instances.find((i) => i.status === 'ACTIVE');
    if (instance === undefined) throw new Error('cmp-02 has no ACTIVE instance');
    await c.activities.evacuateInstance({
      incidentId: 'incident/cmp-02',
      instanceId: instance.id,
      sourceHost: 'cmp-02',
      incidentStartedAt,
    });
    // Told the evacuate kept the power state, while 2.95 stopped it.
    const landing = await landingOf(c, {
      instanceId: instance.id,
      sourceHost: 'cmp-02',
      statusBefore: 'ACTIVE',
      incidentStartedAt,
      doesEvacuateStopInstances: false,
    });
    expect(landing).toMatchObject({
      outcome: 'failed',
      status: 'SHUTOFF',
      reason: expect.stringMatching(
        /^the instance landed on cmp-0\d but is SHUTOFF, not the expected ACTIVE$/,
      ) as unknown,
    });
  });
});

describe('verifyLanding while the scheduler has not placed the instance yet', () => {
  // Scheduling takes an hour of simulated time (3.6 s): long enough to find the migration accepted.
  const cloud = useIncidentCloud({
    hosts: 2,
    instancesPerHost: 1,
    timing: { schedulingMs: 3_600_000 },
  });

  it('throws the retryable EvacuationInProgress naming the migration it waits for', async () => {
    const c = cloud();
    const {
      incidentStartedAt,
      instances: [instance],
    } = await fencedAndForcedDown(c, 'cmp-01');
    if (instance === undefined) throw new Error('cmp-01 has no instances');
    await c.activities.evacuateInstance({
      incidentId: 'incident/cmp-01',
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      incidentStartedAt,
    });
    const failure = await expectFailure(
      c.activities.verifyLanding({
        instanceId: instance.id,
        sourceHost: 'cmp-01',
        statusBefore: instance.status,
        incidentStartedAt,
        doesEvacuateStopInstances: true,
      }),
      'EvacuationInProgress',
      true,
    );
    expect(failure.message).toMatch(
      new RegExp(
        `^instance ${instance.id} is still being evacuated from host cmp-01: waiting for migration \\d+ to finish \\(it is "accepted"\\)`,
      ),
    );
  });
});

describe('a landing that fails', () => {
  const cloud = useIncidentCloud({ hosts: 2, instancesPerHost: 2 });

  it('reports NoValidHost with its reason, refuses to repeat the failed evacuation unless told to retry after it, and lands the retry', async () => {
    const c = cloud();
    // The only other host is forced down too, so the scheduler finds no valid host.
    await fencedAndForcedDown(c, 'cmp-02');
    const {
      incidentStartedAt,
      instances: [instance],
    } = await fencedAndForcedDown(c, 'cmp-01');
    if (instance === undefined) throw new Error('cmp-01 has no instances');
    const input = {
      incidentId: 'incident/cmp-01',
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      incidentStartedAt,
    };
    await c.activities.evacuateInstance(input);
    const landingInput = {
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      statusBefore: instance.status,
      incidentStartedAt,
      doesEvacuateStopInstances: true,
    };
    const failed = await landingOf(c, landingInput);
    expect(failed).toMatchObject({
      outcome: 'failed',
      host: 'cmp-01',
      status: 'ERROR',
      migration: { status: 'error' },
    });
    expect(failed.outcome === 'failed' ? failed.reason : '').toMatch(
      /^evacuation migration \d+ ended "error"; the instance is ERROR \(No valid host was found\./,
    );

    const again = await c.activities.evacuateInstance(input);
    expect(again).toMatchObject({
      outcome: 'previousEvacuationFailed',
      migration: { status: 'error' },
    });
    if (again.outcome !== 'previousEvacuationFailed')
      throw new Error('the failed evacuation was not reported');

    // cmp-02 is repaired and re-admitted; the workflow retries after the failed migration.
    c.sim.setPower('cmp-02', 'On');
    await until(
      async () => ((await c.activities.checkComputeServiceUp('cmp-02')).isUp ? true : undefined),
      'cmp-02 to report again',
    );
    await c.activities.unforceComputeService('cmp-02');
    await c.activities.enableComputeService('cmp-02');
    const retry = await c.activities.evacuateInstance({
      ...input,
      retryAfterMigrationId: again.migration.id,
    });
    expect(retry.outcome).toBe('requested');
    // An ERROR instance is rebuilt ACTIVE, even at 2.95.
    expect(await landingOf(c, { ...landingInput, statusBefore: 'ERROR' })).toMatchObject({
      outcome: 'landed',
      host: 'cmp-02',
      status: 'ACTIVE',
    });
  });
});

describe('starting an instance that 2.95 left stopped', () => {
  const cloud = useIncidentCloud({ hosts: 2, instancesPerHost: 2 });

  it('starts it once, proves it ACTIVE on its new host, and finds it already active when asked again', async () => {
    const c = cloud();
    const { incidentStartedAt, instances } = await fencedAndForcedDown(c, 'cmp-01');
    const instance = instances.find((i) => i.status === 'ACTIVE');
    if (instance === undefined) throw new Error('cmp-01 has no ACTIVE instance');
    await c.activities.evacuateInstance({
      incidentId: 'incident/cmp-01',
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      incidentStartedAt,
    });
    const landingInput = {
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      statusBefore: 'ACTIVE',
      incidentStartedAt,
      doesEvacuateStopInstances: true,
    };
    expect(await landingOf(c, landingInput)).toMatchObject({
      outcome: 'landed',
      status: 'SHUTOFF',
    });

    expect((await c.activities.startInstance(instance.id)).outcome).toBe('started');
    expect(await landingOf(c, { ...landingInput, doesEvacuateStopInstances: false })).toMatchObject(
      { outcome: 'landed', host: 'cmp-02', status: 'ACTIVE' },
    );
    expect(await c.activities.startInstance(instance.id)).toEqual({ outcome: 'alreadyActive' });
  });
});
