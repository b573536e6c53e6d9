// Corroboration: with rules configured, an incident fences nothing until Nova, the BMC and enough
// reporters agree; a host they do not agree on closes NotCorroborated, untouched. A corroborated
// incident whose re-admission is automatic re-admits the host once its nova-compute reports again.
import { describe, expect, it } from 'vitest';
import type { CorroborationRules } from '../../../domain/corroboration.ts';
import { NO_CORROBORATION } from '../../../domain/corroboration.ts';
import { stateQuery } from '../../../contracts/incident-messages.ts';
import { until, useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { inPhase, touched } from './incident-observations.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [FIRST = '', SECOND = ''] = failedHostsOf('corroboration');

const cloud = useIncidentCloud({ hosts: 15, instancesPerHost: 2 });
const temporal = useIncidentTemporal(cloud);

const NOVA_BMC_AND_TWO_REPORTERS: CorroborationRules = {
  ...NO_CORROBORATION,
  isNovaDownRequired: true,
  isBmcReachableRequired: true,
  minReporters: 2,
  timeoutMs: 30_000,
  recheckIntervalMs: 200,
};

describe('corroborating a reported failure', () => {
  it('waits for a second reporter and Nova to agree, then recovers, and re-admits on its own once the host reports again', async () => {
    const { sim } = cloud();
    const host = FIRST;
    // Its compute runs but cannot reach Nova's message queue: only Nova's view of it changes.
    sim.failHost(host, 'partition');

    await temporal().withWorker(async (taskQueue) => {
      const settings = {
        policy: EVERY_INSTANCE_POLICY,
        corroboration: NOVA_BMC_AND_TWO_REPORTERS,
        readmission: 'automatic',
        readmissionRecheckIntervalMs: 200,
      } as const;
      const incident = await temporal().report(
        taskQueue,
        { host, reporter: 'alertmanager' },
        settings,
      );
      const waiting = await inPhase(
        incident,
        'Corroborating',
        (state) => state.corroboration?.missing.length === 1,
      );
      expect(waiting.corroboration?.missing).toEqual([
        '2 distinct reporters (have 1: alertmanager)',
      ]);
      expect(touched(sim, [host])).toEqual([]);

      await temporal().report(taskQueue, { host, reporter: 'consul' }, settings);
      const evacuated = await evacuationsEnded(incident);
      expect(evacuated).toMatchObject({
        outcome: 'Recovered',
        corroboration: { missing: [] },
        fencing: { proof: { powerState: 'Off' } },
      });

      // Repaired: powered on, its compute reports again, and nobody has to say readmit.
      sim.setPower(host, 'On');
      expect(await incident.result()).toMatchObject({
        phase: 'Readmitted',
        readmission: { requestedBy: 'automatic: nova-compute reports again' },
      });
    });
    expect(sim.state().hosts.find((candidate) => candidate.name === host)?.service).toMatchObject({
      forcedDown: false,
      status: 'enabled',
      state: 'up',
    });
    expect(sim.invariants().violations).toEqual([]);
  });

  it('closes NotCorroborated and touches nothing when Nova still sees the host up', async () => {
    const { sim } = cloud();
    const host = SECOND;

    const result = await temporal().withWorker(async (taskQueue) => {
      const incident = await temporal().report(
        taskQueue,
        { host, reporter: 'a-partitioned-probe' },
        {
          policy: EVERY_INSTANCE_POLICY,
          corroboration: { ...NOVA_BMC_AND_TWO_REPORTERS, minReporters: 1, timeoutMs: 1_500 },
        },
      );
      const waiting = await until(async () => {
        const state = await incident.query(stateQuery);
        return state.corroboration === undefined ? undefined : state;
      }, 'a first look at Nova and the BMC');
      expect(waiting.corroboration?.missing).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Nova to report the nova-compute service down \\(Nova reports the nova-compute service of ${SECOND} up`,
          ),
        ),
      ]);
      return incident.result();
    });

    expect(result).toMatchObject({
      phase: 'NotCorroborated',
      outcome: 'NotCorroborated',
      instances: [],
    });
    expect(touched(sim, [host])).toEqual([]);
  });
});
