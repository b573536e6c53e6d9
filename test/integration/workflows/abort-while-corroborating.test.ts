// Every accepted decision takes effect (docs/design.md#cancel-and-abort): an operator's abort
// accepted while the incident reads Nova for corroboration closes it Aborted, even when what Nova
// then says would corroborate the failure. Nothing is fenced, Nova is not touched, and the storm
// guard is not asked.
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { CorroborationRules } from '../../../domain/corroboration.ts';
import { NO_CORROBORATION } from '../../../domain/corroboration.ts';
import { abortUpdate, stateQuery } from '../../../contracts/incident-messages.ts';
import type { incidentWorkflow } from '../../../workflows/incident-workflow.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { touched } from './incident-observations.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [UNGUARDED = '', GUARDED = ''] = failedHostsOf('abort-while-corroborating');

const cloud = useIncidentCloud({ hosts: 38, instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

const NOVA_MUST_SEE_IT_DOWN: CorroborationRules = {
  ...NO_CORROBORATION,
  isNovaDownRequired: true,
  timeoutMs: 30_000,
  recheckIntervalMs: 200,
};

/** Each read of Nova's services takes this long (simulated ms, 4 s here). */
const SLOW_SERVICE_READS = 4_000_000;

/** Until the incident is reading Nova and the BMC for its corroboration. */
async function gatheringEvidence(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<void> {
  await until(
    async () => {
      const { raw } = await handle.describe();
      const isGathering = (raw.pendingActivities ?? []).some(
        (activity) => activity.activityType?.name === 'gatherFailureEvidence',
      );
      return isGathering && (await handle.query(stateQuery)).phase === 'Corroborating'
        ? true
        : undefined;
    },
    `${handle.workflowId} to gather evidence`,
    20_000,
  );
}

describe('an abort accepted while the incident corroborates', () => {
  it.each([
    ['without the storm guard', UNGUARDED, false],
    ['behind the storm guard', GUARDED, true],
  ] as const)(
    'closes it Aborted %s, though Nova then sees the host down: nothing fenced, Nova untouched',
    async (_, host, isAdmissionRequired) => {
      const { sim } = cloud();
      sim.failHost(host, 'power-loss');
      // Nova will say the host is down, slowly: the abort arrives while the incident reads it.
      sim.addFault({
        service: 'nova',
        endpoint: 'GET /os-services',
        fault: { kind: 'latency', ms: SLOW_SERVICE_READS },
      });
      onTestFinished(() => {
        sim.clearFaults();
      });

      const settled = await temporal().withWorker(async (taskQueue) => {
        const incident = await temporal().report(
          taskQueue,
          { host, reporter: 'alertmanager', reason: 'node_exporter down' },
          {
            policy: EVERY_INSTANCE_POLICY,
            corroboration: NOVA_MUST_SEE_IT_DOWN,
            isAdmissionRequired,
          },
        );
        await gatheringEvidence(incident);
        const answer = await incident.executeUpdate(abortUpdate, {
          args: [{ operator: 'alice', reason: 'planned maintenance, not a failure' }],
        });
        sim.clearFaults();
        const state = await evacuationsEnded(incident);
        if (!isAdmissionRequired)
          await recordHistoryIfAsked(incident, 'aborted-while-corroborating');
        return { answer, state };
      });

      expect({
        answer: settled.answer,
        phase: settled.state.phase,
        outcome: settled.state.outcome,
        abortedBy: settled.state.abortedBy?.operator,
        fencingAttempts: settled.state.fencing.attempts,
        admission: settled.state.admission,
        touched: touched(sim, [host]).map((entry) => entry.kind),
      }).toEqual({
        answer: 'Aborted',
        phase: 'Aborted',
        outcome: 'Aborted',
        abortedBy: 'alice',
        fencingAttempts: 0,
        admission: undefined,
        touched: [],
      });
    },
  );
});
