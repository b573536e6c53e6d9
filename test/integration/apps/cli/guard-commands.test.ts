// The storm-guard commands of `lazarus` against a real guard and real incidents: a rack failure past
// the blast radius touches nothing in Nova until `lazarus approve`, pause and resume answer with
// the guard's state, and `lazarus reset-guard` admits whatever is still held. Each command runs as
// its own process (seconds each on a loaded 2-core machine), hence the longer timeout.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { incidentWorkflowId, stateQuery } from '../../../../contracts/incident-messages.ts';
import type { IncidentState } from '../../../../contracts/incident-messages.ts';
import type { incidentWorkflow } from '../../../../workflows/incident-workflow.ts';
import { stormGuardWorkflowId } from '../../../../contracts/storm-guard-messages.ts';
import { isRecoveryFinished } from '../../../../apps/cli/commands/incident-tables.ts';
import type { IncidentCloud } from '../../activities/incident/incident-cloud.ts';
import { entriesOf, until, useIncidentCloud } from '../../activities/incident/incident-cloud.ts';
import { useIncidentTemporal } from '../../workflows/incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from '../../workflows/policies.ts';
import { runLazarus } from '../../../support/lazarus-cli.ts';
import { failedHostsOf } from '../../../support/failed-hosts.ts';

const { address, namespace } = inject('temporal');
const env = { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: namespace };

// This file's hosts (see incident-commands.test.ts). One incident at a time: the second is past the blast radius.
const RACK = failedHostsOf('guard-commands');
const cloud = useIncidentCloud({
  hosts: 23,
  instancesPerHost: 2,
  stormGuardLimits: { maxIncidents: 1, maxFractionDown: 1, windowMs: 600_000 },
});
const temporal = useIncidentTemporal(cloud);

let directory: string;
let guardQueue = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lazarus-guard-cli-'));
});
afterAll(async () => {
  for (const workflowId of [...RACK.map(incidentWorkflowId), stormGuardWorkflowId(guardQueue)]) {
    await temporal()
      .client.workflow.getHandle(workflowId)
      .terminate('guard commands test done')
      .catch(() => undefined);
  }
  await rm(directory, { recursive: true, force: true });
});

/** What reached Nova for these hosts: evacuates of their instances and service updates. */
function novaChanges(sim: IncidentCloud['sim'], hosts: readonly string[]): unknown[] {
  return [
    ...entriesOf(sim, 'evacuate').filter((entry) => hosts.includes(entry.sourceHost)),
    ...entriesOf(sim, 'service-update').filter((entry) => hosts.includes(entry.host)),
  ];
}

const phaseOf = async (handle: WorkflowHandle<typeof incidentWorkflow>): Promise<IncidentState> =>
  handle.query(stateQuery);

function recovered(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<IncidentState> {
  return until(
    async () => {
      const state = await phaseOf(handle);
      return isRecoveryFinished(state) ? state : undefined;
    },
    `${handle.workflowId} to recover`,
    30_000,
  );
}

describe('the storm-guard commands of lazarus', () => {
  it('hold a rack failure past the blast radius untouched until lazarus approve, pause and resume automation, and reset the guard', async () => {
    const { sim } = cloud();
    await temporal().withWorker(async (taskQueue) => {
      guardQueue = taskQueue;
      const config = join(directory, 'lazarus.yaml');
      await writeFile(config, `temporal:\n  taskQueue: ${taskQueue}\n`);
      const lazarus = (...args: string[]) => runLazarus([...args, '--config', config], env);
      const decide = (...args: string[]) => lazarus(...args, '--operator', 'alice');

      expect(await decide('approve', '--reason', 'nothing yet')).toMatchObject({
        status: 1,
        stderr: expect.stringContaining(
          `the storm guard storm-guard/${taskQueue} is not running`,
        ) as unknown,
      });

      for (const host of RACK) sim.failHost(host, 'power-loss');
      const incidents = await Promise.all(
        RACK.map((host) =>
          temporal().report(
            taskQueue,
            { host, reporter: 'alertmanager' },
            { policy: EVERY_INSTANCE_POLICY },
          ),
        ),
      );
      const held = await until(
        async () => {
          const states = await Promise.all(incidents.map(phaseOf));
          const waiting = states.filter((state) => state.phase === 'AwaitingApproval');
          return waiting.length === 2 && states.some((state) => isRecoveryFinished(state))
            ? waiting.map((state) => state.host)
            : undefined;
        },
        'one incident to recover and two to be held',
        30_000,
      );
      expect(novaChanges(sim, held)).toEqual([]);

      const listed = await lazarus('incidents');
      for (const host of held)
        expect(listed.stdout).toMatch(
          new RegExp(`^${host} +AwaitingApproval +0/0 +\\d+s +lazarus approve ${host}: `, 'm'),
        );

      expect(await decide('pause', '--reason', 'checking the rack')).toMatchObject({
        status: 0,
        stdout:
          'automation paused by alice: fencing and verification in flight finish, nothing new starts; lazarus resume to go on\n',
      });
      expect(await decide('resume', '--reason', 'rack checked')).toMatchObject({
        status: 0,
        stdout: 'automation runs (resumed by alice); 2 incident(s) held\n',
      });

      const [first, second] = held;
      const approved = await decide('approve', first ?? '', '--reason', 'the rack lost its PDU');
      expect(approved).toMatchObject({
        status: 0,
        stdout: `admitted by alice: ${incidentWorkflowId(first ?? '')}\n`,
      });
      const firstHandle = incidents[RACK.indexOf(first ?? '')];
      const secondHandle = incidents[RACK.indexOf(second ?? '')];
      if (firstHandle === undefined || secondHandle === undefined)
        throw new Error('held hosts are not the reported ones');
      expect(await recovered(firstHandle)).toMatchObject({
        admission: { admittedBy: expect.stringContaining('alice') as unknown },
      });
      expect((await phaseOf(secondHandle)).phase).toBe('AwaitingApproval');
      expect(novaChanges(sim, [second ?? ''])).toEqual([]);

      expect(await decide('reset-guard', '--reason', 'storm over')).toMatchObject({
        status: 0,
        stdout: `admitted by alice: ${incidentWorkflowId(second ?? '')}\n`,
      });
      await recovered(secondHandle);
    });
  }, 150_000);
});
