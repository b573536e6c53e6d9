// An incident whose host's BMC cannot be reached, but whose PDU outlet can cut its power
// (docs/design.md#fencing-levels): the incident fences through level 2, records which level fenced
// the host and why level 1 did not, and evacuates only after the PDU read back Off
// (docs/design.md#i1-fence-before-evacuate).
import { describe, expect, it } from 'vitest';
import { progressTable } from '../../../domain/incident-progress.ts';
import { useIncidentCloud } from '../activities/incident/incident-cloud.ts';
import { evacuationsEnded, useIncidentTemporal } from './incident-worker.ts';
import { EVERY_INSTANCE_POLICY } from './policies.ts';
import { failedHostsOf } from '../../support/failed-hosts.ts';

const [HOST = ''] = failedHostsOf('fencing-levels');

const cloud = useIncidentCloud({
  hosts: Number(HOST.slice('cmp-'.length)) + 1,
  instancesPerHost: 2,
  bmc: { ipmiHosts: 0, tls: false, pdu: { outletsPerHost: 1 } },
});
const temporal = useIncidentTemporal(cloud);

describe('an incident fenced at its second level', () => {
  it('cuts the power at the PDU when the BMC is unreachable, says so, and evacuates only after the outlet read back Off', async () => {
    const { sim } = cloud();
    sim.failHost(HOST, 'compute-crash');
    sim.setBmcFaults(HOST, { unreachable: true });

    const ended = await temporal().withWorker(async (taskQueue) =>
      evacuationsEnded(
        await temporal().report(
          taskQueue,
          { host: HOST, reporter: 'alertmanager' },
          { policy: EVERY_INSTANCE_POLICY },
        ),
      ),
    );

    expect(ended).toMatchObject({
      outcome: 'Recovered',
      fencing: {
        proof: {
          host: HOST,
          level: 2,
          device: 'pdu',
          protocol: 'redfish-pdu',
          earlierLevels: [{ level: 1, device: 'bmc', type: 'BmcUnavailable' }],
        },
      },
    });
    expect(progressTable(ended)).toMatch(
      /Fencing: power read back Off via redfish-pdu at \S+ \(level 2, pdu http:\/\/127\.0\.0\.1:\d+ outlet \w+; level 1 redfish http:\/\/127\.0\.0\.1:\d+ failed: BmcUnavailable\)/,
    );
    const ledger = sim.ledger();
    const cut = ledger.findIndex(
      (entry) =>
        entry.kind === 'power' &&
        entry.host === HOST &&
        entry.via === 'redfish-pdu' &&
        entry.state === 'Off',
    );
    const firstEvacuate = ledger.findIndex(
      (entry) => entry.kind === 'evacuate' && entry.sourceHost === HOST,
    );
    expect(cut).toBeGreaterThanOrEqual(0);
    expect(firstEvacuate).toBeGreaterThan(cut);
    expect(sim.invariants().violations).toEqual([]);
  });
});
