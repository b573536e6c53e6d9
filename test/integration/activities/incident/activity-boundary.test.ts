// What crosses from the activities into workflow history: plain facts and typed failures, never a
// password or secret (docs/design.md#i7-no-secrets-in-history-or-logs), and a Nova connection that
// recovers when its first attempt failed.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createIncidentActivities } from '../../../../activities/incident/index.ts';
import { captureLogs } from '../openstack/cloud.ts';
import { expectFailure, incidentDependencies, useIncidentCloud } from './incident-cloud.ts';

const cloud = useIncidentCloud({ hosts: 4, instancesPerHost: 2, ipmiHosts: 1 });

describe('the activity boundary', () => {
  it('puts no password or secret into any result, failure or log line, through success and every kind of failure', async () => {
    const { sim, activities, logLines } = cloud();
    const said: string[] = [];
    const keep = (value: unknown): void => {
      said.push(JSON.stringify(value));
    };
    const keepFailure = async (promise: Promise<unknown>): Promise<void> => {
      const error = await promise.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ApplicationFailure);
      if (error instanceof ApplicationFailure)
        said.push(error.message, JSON.stringify(error.details), String(error.type));
    };

    const incidentStartedAt = new Date().toISOString();
    sim.failHost('cmp-01', 'compute-crash');
    const proof = await activities.fenceHost('cmp-01');
    keep(proof);
    keep(
      await activities.forceDownComputeService(
        'cmp-01',
        { incidentId: 'incident/cmp-01', startedAt: new Date().toISOString() },
        proof,
      ),
    );
    const instances = await activities.listInstancesOnHost('cmp-01', []);
    keep(instances);
    const [instance] = instances;
    if (instance === undefined) throw new Error('cmp-01 has no instances');
    const evacuation = {
      incidentId: 'incident/cmp-01',
      instanceId: instance.id,
      sourceHost: 'cmp-01',
      incidentStartedAt,
    };
    keep(await activities.evacuateInstance(evacuation));
    keep(await activities.evacuateInstance(evacuation));
    keep(await activities.checkComputeServiceUp('cmp-01'));
    await keepFailure(activities.unforceComputeService('cmp-01'));

    sim.setBmcFaults('cmp-02', { badCredentials: true });
    await keepFailure(activities.fenceHost('cmp-02'));
    sim.setBmcFaults('cmp-03', { ignorePowerOff: true });
    await keepFailure(activities.fenceHost('cmp-03'));
    const [running] = await activities.listInstancesOnHost('cmp-04', []);
    await keepFailure(
      activities.evacuateInstance({
        ...evacuation,
        instanceId: running?.id ?? '',
        sourceHost: 'cmp-04',
      }),
    );

    const everything = [...said, ...logLines].join('\n');
    expect(everything).toContain('cmp-02');
    const secrets = [
      sim.credentials.password,
      sim.credentials.applicationCredential.secret,
      ...Object.values(sim.bmcs).flatMap((bmc) => [
        bmc.redfish.password,
        ...(bmc.ipmi === undefined ? [] : [bmc.ipmi.password]),
      ]),
    ];
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });

  it('reports a failed first connection to Nova as a typed failure, and connects at the next attempt', async () => {
    const { sim } = cloud();
    const dependencies = incidentDependencies(sim, captureLogs());
    const activities = createIncidentActivities(dependencies);
    try {
      sim.addFault({
        service: 'keystone',
        endpoint: 'POST /v3/auth/tokens',
        fault: { kind: 'status', status: 401 },
        times: 1,
      });
      await expectFailure(
        activities.listInstancesOnHost('cmp-04', []),
        'AuthenticationFailed',
        false,
      );
      expect((await activities.listInstancesOnHost('cmp-04', [])).length).toBeGreaterThan(0);
    } finally {
      await dependencies.nova.close();
    }
  });
});
