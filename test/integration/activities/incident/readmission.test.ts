// Re-admitting a repaired host: its compute must be reporting again, Nova refuses to clear
// forced_down until the restarted compute completed its evacuations
// (docs/nova-and-bmc-facts.md#un-forcing-after-evacuation),
// and only then is the service enabled.
import { describe, expect, it } from 'vitest';
import {
  entriesOf,
  expectFailure,
  fencedAndForcedDown,
  until,
  useIncidentCloud,
} from './incident-cloud.ts';

const cloud = useIncidentCloud({ hosts: 3, instancesPerHost: 2 });

describe('re-admission of a repaired host', () => {
  it('is refused until the host runs nova-compute again, then clears forced_down and enables the service', async () => {
    const c = cloud();
    const { incidentStartedAt, instances } = await fencedAndForcedDown(c, 'cmp-01');
    for (const instance of instances) {
      await c.activities.evacuateInstance({
        incidentId: 'incident/cmp-01',
        instanceId: instance.id,
        sourceHost: 'cmp-01',
        incidentStartedAt,
      });
    }
    await until(async () => {
      const migrations = await c.nova.listMigrations({
        migrationType: 'evacuation',
        sourceCompute: 'cmp-01',
      });
      return migrations.length === instances.length && migrations.every((m) => m.status === 'done')
        ? true
        : undefined;
    }, 'every evacuation from cmp-01 to be done');

    const down = await c.activities.checkComputeServiceUp('cmp-01');
    expect(down).toMatchObject({ isUp: false, isForcedDown: true, status: 'disabled' });
    expect(down.evidence).toMatch(
      /^its forced-down nova-compute service record was not updated in \d+ ms .*; start nova-compute on cmp-01 first$/,
    );
    const refused = await expectFailure(
      c.activities.unforceComputeService('cmp-01'),
      'EvacuationsNotCompleted',
      true,
    );
    expect(refused.message).toContain('start nova-compute on the repaired host, then retry');

    c.sim.setPower('cmp-01', 'On');
    const up = await until(async () => {
      const health = await c.activities.checkComputeServiceUp('cmp-01');
      return health.isUp ? health : undefined;
    }, 'cmp-01 to report again');
    expect(up.evidence).toMatch(/was updated again .*, so the compute is reporting$/);

    const unforced = await c.activities.unforceComputeService('cmp-01');
    expect(await c.activities.checkComputeServiceUp('cmp-01')).toMatchObject({
      isUp: true,
      isForcedDown: false,
      evidence: 'Nova reports its nova-compute service up',
    });
    const enabled = await c.activities.enableComputeService('cmp-01');
    expect(c.sim.state().hosts.find((h) => h.name === 'cmp-01')?.service).toMatchObject({
      status: 'enabled',
      state: 'up',
      forcedDown: false,
    });
    const updates = entriesOf(c.sim, 'service-update')
      .filter((e) => e.host === 'cmp-01')
      .map((e) => e.requestId);
    expect(updates.slice(-2)).toEqual([unforced.requestId, enabled.requestId]);
  });
});
