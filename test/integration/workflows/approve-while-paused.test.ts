// Every accepted decision takes effect (docs/design.md#admission): while automation is paused, the
// storm guard's approve (and reset) would admit a held incident that nobody tells of the pause, so
// it would fence and evacuate in the middle of it. The guard refuses them with the reason instead,
// and resume lets the held incident go on.
import { setTimeout as sleep } from 'node:timers/promises';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  approveUpdate,
  pauseUpdate,
  resetGuardUpdate,
  resumeUpdate,
  stormGuardStartOptions,
} from '../../../contracts/storm-guard-messages.ts';
import type { StormGuardWorkflow } from '../../../contracts/storm-guard-messages.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase, touched } from './incident-observations.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('approve-while-paused');

const cloud = useIncidentCloud({ hosts: 39, instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

/** What the guard answered: what it admitted, or why it refused. */
const answerOf = (update: Promise<string[]>) =>
  update.then(
    (admitted) => ({ admitted }),
    (error: unknown) => ({
      refused:
        error instanceof Error && error.cause instanceof Error
          ? error.cause.message
          : String(error),
    }),
  );

describe('approving while automation is paused', () => {
  it('is refused with the reason, touches nothing, and resume lets the held incident go on', async () => {
    const { sim } = cloud();
    const host = HOST;
    sim.failHost(host, 'power-loss');
    const operator = { operator: 'erin', reason: 'Nova upgrade in progress' };

    await temporal().withWorker(async (taskQueue) => {
      const { client } = temporal();
      const guard = await client.workflow
        .executeUpdateWithStart(pauseUpdate, {
          args: [operator],
          startWorkflowOperation: new WithStartWorkflowOperation<StormGuardWorkflow>(
            'stormGuardWorkflow',
            { ...stormGuardStartOptions(taskQueue), workflowIdConflictPolicy: 'USE_EXISTING' },
          ),
        })
        .then(() => client.workflow.getHandle(stormGuardStartOptions(taskQueue).workflowId));
      const incident = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY },
      );
      await inPhase(incident, 'AwaitingApproval');

      const approved = await answerOf(
        guard.executeUpdate(approveUpdate, {
          args: [{ operator: 'frank', reason: 'the failure is real', host }],
        }),
      );
      const reset = await answerOf(
        guard.executeUpdate(resetGuardUpdate, {
          args: [{ operator: 'frank', reason: 'start afresh' }],
        }),
      );
      // Long enough for an admitted incident to fence its host and start evacuating.
      await sleep(2_000);
      expect({
        approved,
        reset,
        touched: touched(sim, [host]).map((entry) => entry.kind),
      }).toEqual({
        approved: { refused: expect.stringContaining('automation is paused by erin') as unknown },
        reset: { refused: expect.stringContaining('automation is paused by erin') as unknown },
        touched: [],
      });

      await guard.executeUpdate(resumeUpdate, {
        args: [{ operator: 'erin', reason: 'upgrade done' }],
      });
      expect(await evacuationsEnded(incident)).toMatchObject({
        phase: 'AwaitingReadmission',
        outcome: 'Recovered',
      });
    });
    expect(sim.invariants().violations).toEqual([]);
  });
});
