// Evacuate is sent at most once: accepted with its request id, refused with a typed error, or,
// when the answer is lost or Nova fails mid-way, reported as unknown without a second POST.
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../../../simulator/simulator.ts';
import { connect, failAndForceDown, useSimulator } from './cloud.ts';

const sim = useSimulator({ hosts: 4, instancesPerHost: 3 });

const evacuatesOf = (s: Simulator, instanceId: string) =>
  s.ledger().filter((e) => e.kind === 'evacuate' && e.instance === instanceId);

describe('evacuate', () => {
  it('returns the request id Nova recorded for an accepted evacuation', async () => {
    const { nova } = await connect(sim());
    const [instance] = await failAndForceDown(sim(), nova, 'cmp-01');
    if (instance === undefined) throw new Error('cmp-01 has no instances');
    const request = await nova.evacuate(instance.id);
    expect(request.outcome).toBe('accepted');
    const [entry] = evacuatesOf(sim(), instance.id);
    expect(entry).toMatchObject({ microversion: '2.95' });
    expect(request).toEqual({
      outcome: 'accepted',
      requestId: entry?.kind === 'evacuate' ? entry.requestId : 'missing',
    });
    const actions = await nova.listInstanceActions(instance.id);
    expect(actions.find((a) => a.action === 'evacuate')?.requestId).toBe(
      entry?.kind === 'evacuate' ? entry.requestId : 'missing',
    );
  });

  it('reports a lost answer as unknown and never sends the evacuate twice', async () => {
    const s = sim();
    const { nova } = await connect(s);
    const [instance] = await failAndForceDown(s, nova, 'cmp-02');
    if (instance === undefined) throw new Error('cmp-02 has no instances');
    s.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: { kind: 'lost-response' },
      times: 1,
    });
    const request = await nova.evacuate(instance.id);
    expect(request.outcome).toBe('unknown');
    expect(request.outcome === 'unknown' ? request.reason : '').toMatch(
      /sent but its answer was lost/,
    );
    expect(evacuatesOf(s, instance.id)).toHaveLength(1);
    const migrations = await nova.listMigrations({
      migrationType: 'evacuation',
      instanceId: instance.id,
    });
    expect(migrations).toHaveLength(1);
  });

  it('does not retry an evacuate that Nova answered with 500, and reports it as unknown', async () => {
    const s = sim();
    const { nova } = await connect(s);
    const [instance] = await failAndForceDown(s, nova, 'cmp-03');
    if (instance === undefined) throw new Error('cmp-03 has no instances');
    s.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: { kind: 'status', status: 500 },
      times: 1,
    });
    const request = await nova.evacuate(instance.id);
    expect(request).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringMatching(/Nova answered 500/) as unknown,
    });
    // A second POST would have passed the one-shot fault and been accepted.
    expect(s.faults()).toEqual([]);
    expect(evacuatesOf(s, instance.id)).toHaveLength(0);
  });

  it('throws ComputeServiceStillUp, and sends nothing more, while Nova still counts the source host up', async () => {
    const s = sim();
    const { nova } = await connect(s);
    const [instance] = await nova.listInstancesOnHost('cmp-04');
    if (instance === undefined) throw new Error('cmp-04 has no instances');
    await expect(nova.evacuate(instance.id)).rejects.toMatchObject({
      type: 'ComputeServiceStillUp',
      message: expect.stringMatching(
        /Compute service of cmp-04 is still in use.*fenced/,
      ) as unknown,
    });
    expect(evacuatesOf(s, instance.id)).toHaveLength(0);
  });
});
