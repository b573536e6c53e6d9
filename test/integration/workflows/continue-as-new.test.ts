// Bounded history (docs/design.md#bounded-history): an incident waiting in AwaitingReadmission while
// a health checker keeps reporting continues as new before its history grows large, and the new run
// is the same incident: same id and table, the reports counted, re-admission and queries answered,
// nothing fenced or evacuated again.
import { describe, expect, it } from 'vitest';
import { readmitUpdate, stateQuery } from '../../../contracts/incident-messages.ts';
import { LazarusIncident, LazarusPhase } from '../../../contracts/search-attributes.ts';
import { incidentReport } from '../../../apps/cli/commands/incident-tables.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, recordHistoryIfAsked, useIncidentTemporal } from './incident-worker.ts';
import { touched } from './incident-observations.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('continue-as-new');

const cloud = useIncidentCloud({ hosts: 44, instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

/** Reports sent at once while waiting for the incident to continue as new. */
const ROUND = 25;
/** Far more than one run holds before it continues as new (workflows/history-limits.ts). */
const MAX_REPORTS = 6_000;

describe('an incident waiting for re-admission while a checker keeps reporting', () => {
  it('continues as new with the same incident id and table, counts every report, and is still re-admitted', async () => {
    const { sim } = cloud();
    const host = HOST;
    sim.failHost(host, 'power-loss');

    await temporal().withWorker(async (taskQueue) => {
      const incident = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager', reason: 'node_exporter down' },
        { policy: EVERY_INSTANCE_POLICY },
      );
      const evacuated = await evacuationsEnded(incident);
      expect(evacuated).toMatchObject({ phase: 'AwaitingReadmission', outcome: 'Recovered' });
      const firstRunId = incident.signaledRunId;
      const sideEffectsBefore = touched(sim, [host]).length;
      const latest = temporal().client.workflow.getHandle(incident.workflowId);

      // A checker that repeats itself every few seconds, as the receiver forwards it.
      let sent = 0;
      const report = async (): Promise<void> => {
        await temporal().report(
          taskQueue,
          { host, reporter: 'checker', reason: `still down (${sent})` },
          { policy: EVERY_INSTANCE_POLICY },
        );
      };
      const counted = (): Promise<unknown> =>
        until(
          async () => {
            const { reportCount } = await latest.query(stateQuery);
            return reportCount === sent + 1 ? true : undefined;
          },
          `the incident to count ${sent + 1} reports`,
        );
      while ((await latest.describe()).runId === firstRunId) {
        expect(sent).toBeLessThan(MAX_REPORTS);
        // A few at a time, as checkers do, each batch counted before the next: more than 100
        // signals arriving during one workflow task make the server fail that task to take them
        // (its maximum batch of buffered events), and on a busy machine that can repeat.
        for (let round = 0; round < ROUND; round += 1) {
          sent += 1;
          await report();
        }
        await counted();
      }
      const first = temporal().client.workflow.getHandle(incident.workflowId, firstRunId);
      expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
      expect((await first.describe()).historyLength).toBeLessThan(3_000);
      // Its history (over a megabyte of report signals) is not recorded; the resumed run's is.

      // The new run: the same incident, every report counted once, one record per reporter.
      const resumed = await until(async () => {
        const state = await latest.query(stateQuery);
        return state.reportCount === sent + 1 ? state : undefined;
      }, 'every report counted in the new run');
      expect(resumed).toMatchObject({
        incidentId: evacuated.incidentId,
        incidentStartedAt: evacuated.incidentStartedAt,
        phase: 'AwaitingReadmission',
        outcome: 'Recovered',
        fencing: evacuated.fencing,
        instances: evacuated.instances,
      });
      expect(resumed.reports.map((record) => [record.reporter, record.count])).toEqual([
        ['alertmanager', 1],
        ['checker', sent],
      ]);
      expect(incidentReport(resumed)).toContain(`reports   alertmanager, checker ×${sent}`);
      const described = await latest.describe();
      expect(described.typedSearchAttributes.get(LazarusIncident)).toBe(evacuated.incidentId);
      expect(described.typedSearchAttributes.get(LazarusPhase)).toBe('AwaitingReadmission');

      // Re-admission works in the new run, and nothing was fenced or evacuated again.
      sim.setPower(host, 'On');
      expect(
        await latest.executeUpdate(readmitUpdate, {
          args: [{ operator: 'bob', reason: 'PSU replaced' }],
        }),
      ).toBe('Readmitted');
      const readmitted = await incident.result();
      expect(readmitted).toMatchObject({
        incidentId: evacuated.incidentId,
        phase: 'Readmitted',
        reportCount: sent + 1,
      });
      const sideEffectsAfter = touched(sim, [host]).slice(sideEffectsBefore);
      // Re-admission's two: clear forced_down, then enable the service.
      expect(sideEffectsAfter.map((entry) => entry.kind)).toEqual([
        'service-update',
        'service-update',
      ]);
      await recordHistoryIfAsked(latest, 'incident-resumed-and-readmitted');
    });
  });
});
