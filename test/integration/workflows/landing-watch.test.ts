// The landing watch (docs/design.md#the-landing-watch): an evacuation holds its turn only until Nova
// accepts it, the rebuilds then run in Nova side by side, and the incident sees them land with one
// listing of the host's migrations per tick, never one retrying verifyLanding per instance.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { google } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../activities/openstack/index.ts';
import { evacuationWorkflowId } from '../../../contracts/evacuation-messages.ts';
import type { IncidentInput, IncidentState } from '../../../contracts/incident-messages.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { LONGEST_TICK_IN_INTERVALS } from '../../../domain/landing-pace.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { scheduledActivities } from './incident-observations.ts';

const [ONE_TURN_HOST = '', CAPPED_HOST = ''] = failedHostsOf('landing-watch');
const [TICKS_HOST = ''] = failedHostsOf('landing-watch-ticks');
const [PATIENCE_HOST = ''] = failedHostsOf('landing-watch-patience');

// A rebuild of 3 s of real time: long enough to see which evacuations Nova holds at once.
const cloud = useIncidentCloud({
  hosts: 62,
  instancesPerHost: 6,
  timing: { rebuildMs: 3_000_000 },
});
const temporal = useIncidentTemporal(cloud);

async function recover(
  host: string,
  settings: Partial<IncidentInput>,
): Promise<{ state: IncidentState; migrations: Migration[] }> {
  const { sim, nova } = cloud();
  sim.failHost(host, 'power-loss');
  const state = await temporal().withWorker(
    async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY, isAdmissionRequired: false, ...settings },
      );
      return evacuationsEnded(handle);
    },
    { evacuateCallsPerSecond: 100 },
  );
  const migrations = await nova.listMigrations({
    migrationType: 'evacuation',
    sourceCompute: host,
  });
  return { state, migrations };
}

/** When Nova marked each migration done, in the order the evacuations were accepted. */
const doneAt = (migrations: readonly Migration[]): number[] =>
  [...migrations]
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))
    .map((m) => Date.parse(m.updatedAt ?? ''));
const acceptedAt = (migrations: readonly Migration[]): number[] =>
  migrations.map((m) => Date.parse(m.createdAt)).sort((a, b) => a - b);

/**
 * Each look of the incident's landing watch: how many landings it saw, and how long the watch then
 * waited before the next (undefined after the last look).
 */
async function looksOf(
  client: Client,
  workflowId: string,
): Promise<{ landings: number; waitMs: number | undefined }[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const typeOf = new Map(
    events.map((event) => [
      Number(event.eventId),
      event.activityTaskScheduledEventAttributes?.activityType?.name,
    ]),
  );
  const looks: { landings: number; waitMs: number | undefined }[] = [];
  for (const event of events) {
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && typeOf.get(Number(completed.scheduledEventId)) === 'watchLandings') {
      const [payload] = completed.result?.payloads ?? [];
      const seen =
        payload === undefined ? [] : defaultPayloadConverter.fromPayload<unknown[]>(payload);
      looks.push({ landings: seen.length, waitMs: undefined });
    }
    const timeout = event.timerStartedEventAttributes?.startToFireTimeout;
    const last = looks.at(-1);
    if (timeout && last !== undefined && last.waitMs === undefined)
      last.waitMs = durationMs(timeout);
  }
  return looks;
}

const durationMs = (duration: google.protobuf.IDuration): number =>
  Number(duration.seconds ?? 0) * 1000 + Math.round((duration.nanos ?? 0) / 1e6);

const activitiesOf = (client: Client, workflowId: string): Promise<string[]> =>
  scheduledActivities(client.workflow.getHandle(workflowId));

/** The activities an evacuation ran until Nova 2.95+ made it start its instance again. */
function untilStartedAgain(activities: readonly string[]): string[] {
  const startedAgain = activities.indexOf('startInstance');
  return activities.slice(0, startedAgain === -1 ? undefined : startedAgain);
}

async function signalsSentBy(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (event) => event.signalExternalWorkflowExecutionInitiatedEventAttributes,
  ).length;
}

describe('the landing watch', () => {
  it('sends every evacuate while the first rebuild runs, with one turn, and sees each land through the incident', async () => {
    const { state, migrations } = await recover(ONE_TURN_HOST, { evacuationConcurrency: 1 });

    expect(state.instances.map((row) => row.progress.outcome)).toEqual(Array(6).fill('landed'));
    expect(migrations.map((m) => m.status)).toEqual(Array(6).fill('done'));
    // Holding the turn until the landing, as before the watch, would accept the second evacuation
    // only after the first was done.
    expect(Math.max(...acceptedAt(migrations))).toBeLessThan(Math.min(...doneAt(migrations)));

    const { client } = temporal();
    const incidentId = state.forcedDown?.failure.incidentId ?? '';
    const incident = await activitiesOf(client, `incident/${ONE_TURN_HOST}`);
    expect(incident).toContain('watchLandings');
    await recordHistoryIfAsked(
      client.workflow.getHandle(`incident/${ONE_TURN_HOST}`),
      'landing-watched',
    );
    const [first] = state.instances;
    await recordHistoryIfAsked(
      client.workflow.getHandle(evacuationWorkflowId(incidentId, first?.instanceId ?? '')),
      'evacuation-landing-watched',
    );
    for (const row of state.instances) {
      const evacuation = await activitiesOf(
        client,
        evacuationWorkflowId(incidentId, row.instanceId),
      );
      // Nova 2.95+ leaves a running instance stopped: starting it again is proven by verifyLanding.
      expect(untilStartedAgain(evacuation)).toEqual(['evacuateInstance']);
    }
  });

  it('keeps at most maxEvacuationsInFlight in Nova at once', async () => {
    const { state, migrations } = await recover(CAPPED_HOST, {
      evacuationConcurrency: 6,
      maxEvacuationsInFlight: 2,
    });

    expect(state.instances.map((row) => row.progress.outcome)).toEqual(Array(6).fill('landed'));
    const accepted = acceptedAt(migrations);
    const done = doneAt(migrations);
    // The third is accepted only after the first is done, the fourth after the second, and so on.
    for (let next = 2; next < accepted.length; next += 1)
      expect(accepted[next]).toBeGreaterThanOrEqual(done[next - 2] ?? Infinity);
  });

  it('once it saw landings, looks when the rest can have landed instead of backing off to its longest wait', async () => {
    const intervalMs = 1_000;
    // One turn: the six are accepted one after the other, so they land one after the other too,
    // and most looks see a landing while no new evacuation starts.
    const { state } = await recover(TICKS_HOST, {
      evacuationConcurrency: 1,
      landingCheckIntervalMs: intervalMs,
    });

    expect(state.instances.map((row) => row.progress.outcome)).toEqual(Array(6).fill('landed'));
    const { client } = temporal();
    await recordHistoryIfAsked(
      client.workflow.getHandle(`incident/${TICKS_HOST}`),
      'landing-watch-paced',
    );
    const looks = await looksOf(client, `incident/${TICKS_HOST}`);
    const firstLanding = looks.findIndex((look) => look.landings > 0);
    const waitsAfter = looks.slice(firstLanding).flatMap((look) => look.waitMs ?? []);
    expect(firstLanding).toBeGreaterThanOrEqual(0);
    expect(waitsAfter.length).toBeGreaterThan(0);
    // Unpaced, every wait after a landing was the longest, as no evacuation started meanwhile.
    for (const waitMs of waitsAfter)
      expect(waitMs).toBeLessThan(LONGEST_TICK_IN_INTERVALS * intervalMs);
    expect(looks.reduce((sum, look) => sum + look.landings, 0)).toBe(6);
  });

  it('keeps watching an evacuation whose rebuild outlasts its patience: the evacuation tells its incident again, and never looks on its own', async () => {
    // Each rebuild takes 3 s; an evacuation waits 0.4 s for word before it speaks up again. Real
    // rebuilds and queues of minutes outlast the default 2 min the same way.
    const { state } = await recover(PATIENCE_HOST, {
      evacuationConcurrency: 6,
      landingWatchPatienceMs: 400,
    });

    expect(state.instances.map((row) => row.progress.outcome)).toEqual(Array(6).fill('landed'));
    const { client } = temporal();
    const incidentId = state.forcedDown?.failure.incidentId ?? '';
    for (const row of state.instances) {
      const workflowId = evacuationWorkflowId(incidentId, row.instanceId);
      expect(untilStartedAgain(await activitiesOf(client, workflowId))).toEqual([
        'evacuateInstance',
      ]);
      // Its acceptance, and at least once again after its patience ran out.
      expect(await signalsSentBy(client, workflowId)).toBeGreaterThanOrEqual(2);
    }
    const [first] = state.instances;
    await recordHistoryIfAsked(
      client.workflow.getHandle(evacuationWorkflowId(incidentId, first?.instanceId ?? '')),
      'evacuation-watched-past-its-patience',
    );
  });
});
