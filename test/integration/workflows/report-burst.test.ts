// A burst of reports (a flapping checker, a misconfigured Alertmanager, a script in a loop) reaches
// an incident as hundreds of signals at once. The incident keeps one record per reporter and stays
// answerable: a burst must not wedge it (docs/design.md#bounded-history).
import { describe, expect, it } from 'vitest';
import { readmitUpdate, reportSignal, stateQuery } from '../../../contracts/incident-messages.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';

const [HOST = ''] = failedHostsOf('report-burst');

const cloud = useIncidentCloud({ hosts: 47, instancesPerHost: 1 });
const temporal = useIncidentTemporal(cloud);

const BURST = 1000;

describe('a burst of reports', () => {
  it('leaves the incident answerable, with one record per reporter, and it still closes when re-admitted', async () => {
    const { sim } = cloud();
    sim.failHost(HOST, 'power-loss');

    await temporal().withWorker(async (taskQueue) => {
      const handle = await temporal().report(
        taskQueue,
        { host: HOST, reporter: 'alertmanager' },
        { policy: EVERY_INSTANCE_POLICY },
      );
      await evacuationsEnded(handle);

      await Promise.all(
        Array.from({ length: BURST }, (_, i) =>
          handle.signal(reportSignal, { reporter: `checker-${i % 3}`, reason: `burst ${i}` }),
        ),
      );
      const state = await handle.query(stateQuery);
      expect(state.reportCount).toBe(BURST + 1);
      expect(state.reports.map((report) => report.reporter).sort()).toEqual([
        'alertmanager',
        'checker-0',
        'checker-1',
        'checker-2',
      ]);

      sim.setPower(HOST, 'On');
      expect(
        await handle.executeUpdate(readmitUpdate, {
          args: [{ operator: 'bob', reason: 'repaired' }],
        }),
      ).toBe('Readmitted');
      expect((await handle.result()).phase).toBe('Readmitted');
    });
  });
});
