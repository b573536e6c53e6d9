// Nova's error answers become typed errors that say what was refused, why, and what to do next
// (docs/nova-and-bmc-facts.md#error-bodies, and the messages in
// docs/nova-and-bmc-facts.md#updating-a-service and docs/nova-and-bmc-facts.md#evacuate-errors).
import { describe, expect, it } from 'vitest';
import { novaFailure } from '../../../../activities/openstack/nova-errors.ts';
import type { Instance, NovaClient } from '../../../../activities/openstack/index.ts';
import { startSimulator } from '../../../../simulator/simulator.ts';
import { connect, failAndForceDown, useSimulator } from './cloud.ts';

const fault = (name: string, code: number, message: string) => ({ [name]: { code, message } });

describe('novaFailure', () => {
  it.each([
    [
      400,
      fault('badRequest', 400, 'Compute service of cmp1 is still in use.'),
      'ComputeServiceStillUp',
    ],
    [
      400,
      fault(
        'badRequest',
        400,
        'Unable to force up host cmp1 as `done` evacuation migration records remain associated with the host. Ensure the compute service has been restarted, allowing these records to move to `completed` before retrying this request.',
      ),
      'EvacuationsNotCompleted',
    ],
    [400, fault('badRequest', 400, "The target host can't be the same one."), 'RequestRejected'],
    [
      409,
      fault(
        'conflictingRequest',
        409,
        "Cannot 'evacuate' instance 1f while it is in vm_state building",
      ),
      'RequestRejected',
    ],
    [
      409,
      fault(
        'conflictingRequest',
        409,
        "Cannot 'start' instance 1f while it is in task_state powering-on",
      ),
      'InstanceBusy',
    ],
    [
      401,
      {
        error: {
          code: 401,
          title: 'Unauthorized',
          message: 'The request you have made requires authentication.',
        },
      },
      'AuthenticationFailed',
    ],
    [
      403,
      fault('forbidden', 403, "Policy doesn't allow os_compute_api:os-evacuate to be performed."),
      'PermissionDenied',
    ],
    [404, fault('itemNotFound', 404, 'Instance 1f could not be found.'), 'NotFound'],
    [
      406,
      fault(
        'computeFault',
        406,
        'Version 2.95 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
      ),
      'MicroversionUnsupported',
    ],
    [429, fault('overLimit', 429, 'Rate limit exceeded'), 'CloudUnavailable'],
    [500, fault('computeFault', 500, 'Unexpected API Error.'), 'CloudUnavailable'],
    [502, '<html>Bad Gateway</html>', 'CloudUnavailable'],
  ])('maps %i %j to %s', (status, body, type) => {
    const error = novaFailure('do something to instance 1f', status, body, 'req-1');
    expect(error.type).toBe(type);
    expect(error.details).toMatchObject({
      status,
      requestId: 'req-1',
      operation: 'do something to instance 1f',
    });
  });

  it('says what was refused, quotes Nova, and says what to do next', () => {
    const error = novaFailure(
      'evacuate instance 1f',
      400,
      fault('badRequest', 400, 'Compute service of cmp1 is still in use.'),
      null,
    );
    expect(error.message).toBe(
      'Nova refused to evacuate instance 1f (400: "Compute service of cmp1 is still in use."); Nova still counts the source compute service as up; evacuate only after the host is fenced and its service forced down, never in a tight loop',
    );
  });
});

describe('errors from a running Nova', () => {
  const sim = useSimulator({ hosts: 3, instancesPerHost: 4 });

  async function firstOn(nova: NovaClient, host: string, status: string): Promise<Instance> {
    const found = (await nova.listInstancesOnHost(host)).find((i) => i.status === status);
    if (found === undefined) throw new Error(`no ${status} instance on ${host}`);
    return found;
  }

  it('rejects starting a running instance with RequestRejected', async () => {
    const { nova } = await connect(sim());
    const active = await firstOn(nova, 'cmp-01', 'ACTIVE');
    await expect(nova.startInstance(active.id)).rejects.toMatchObject({
      type: 'RequestRejected',
      details: { status: 409 },
      message: expect.stringMatching(
        /^Nova refused to start instance .* vm_state active.*read the resource again/,
      ) as unknown,
    });
  });

  it('starts a stopped instance and returns the request id', async () => {
    const { nova } = await connect(sim());
    const stopped = await firstOn(nova, 'cmp-01', 'SHUTOFF');
    expect((await nova.startInstance(stopped.id)).requestId).toMatch(/^req-/);
  });

  it('rejects an evacuation onto the host the instance is on with RequestRejected', async () => {
    const s = sim();
    const { nova } = await connect(s);
    const instance = (await failAndForceDown(s, nova, 'cmp-02'))[0];
    if (instance === undefined) throw new Error('cmp-02 has no instances');
    await expect(nova.evacuate(instance.id, 'cmp-02')).rejects.toMatchObject({
      type: 'RequestRejected',
      details: { novaMessage: "The target host can't be the same one." },
    });
    await expect(nova.evacuate(instance.id, 'cmp-99')).rejects.toMatchObject({
      type: 'NotFound',
      details: { novaMessage: 'Compute host cmp-99 not found.' },
    });
  });

  it.each([
    [
      403,
      "Policy doesn't allow os_compute_api:os-services:list to be performed.",
      'PermissionDenied',
    ],
    [
      406,
      'Version 2.95 is not supported by the API. Minimum is 2.1 and maximum is 2.93.',
      'MicroversionUnsupported',
    ],
  ])('maps a %i from Nova to its type without retrying', async (status, message, type) => {
    const s = sim();
    const { nova, logs } = await connect(s);
    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status, message },
      times: 1,
    });
    await expect(nova.listComputeServices()).rejects.toMatchObject({
      type,
      details: { status, novaMessage: message },
    });
    expect(logs.lines).toEqual([]);
  });

  it('maps a 409 about a task in progress to InstanceBusy', async () => {
    const s = sim();
    const { nova } = await connect(s);
    // The fault answers before Nova looks at the instance, so any instance will do.
    const stopped = await firstOn(nova, 'cmp-03', 'ACTIVE');
    const message = `Cannot 'start' instance ${stopped.id} while it is in task_state powering-on`;
    s.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'os-start',
      fault: { kind: 'status', status: 409, message },
      times: 1,
    });
    await expect(nova.startInstance(stopped.id)).rejects.toMatchObject({
      type: 'InstanceBusy',
      message: expect.stringMatching(/wait for it to finish/) as unknown,
    });
  });
});

describe('a Nova that has gone away', () => {
  it('fails reads with CloudUnavailable after retrying, and an evacuate that never left with CloudUnavailable rather than unknown', async () => {
    const sim = await startSimulator({ hosts: 1, instancesPerHost: 1, timeScale: 1000 });
    const { nova, session, logs } = await connect(sim);
    const [instance] = await nova.listInstancesOnHost('cmp-01');
    await sim.stop();
    await expect(nova.listComputeServices()).rejects.toMatchObject({
      type: 'CloudUnavailable',
      message: expect.stringMatching(/ECONNREFUSED.*check Nova's API service/) as unknown,
    });
    expect(logs.lines.filter((l) => l.includes('retrying in'))).toHaveLength(3);
    await expect(nova.evacuate(instance?.id ?? '')).rejects.toMatchObject({
      type: 'CloudUnavailable',
      details: { mayHaveTakenEffect: false },
    });
    await session.close();
  });
});
