// Reads: every page of servers and migrations, validated records, and retries with backoff on
// transient failures only.
import { describe, expect, it } from 'vitest';
import { connect, failAndForceDown, useSimulator } from './cloud.ts';

const sim = useSimulator({ hosts: 3, instancesPerHost: 7 });

describe('paging', () => {
  it('lists every instance of a host across pages, each exactly once', async () => {
    const s = sim();
    const { nova } = await connect(s, { pageSize: 2 });
    const instances = await nova.listInstancesOnHost('cmp-01');
    const expected = s
      .state()
      .instances.filter((i) => i.host === 'cmp-01')
      .map((i) => i.uuid);
    expect(expected).toHaveLength(7);
    expect(instances.map((i) => i.id).sort()).toEqual([...expected].sort());
    expect(instances.every((i) => i.host === 'cmp-01' && i.hypervisorHostname === 'cmp-01')).toBe(
      true,
    );
  });

  it('lists every evacuation record across pages, filtered by source host and changes-since', async () => {
    const s = sim();
    const { nova } = await connect(s, { pageSize: 2 });
    const incidentStart = new Date().toISOString();
    const instances = await failAndForceDown(s, nova, 'cmp-02');
    for (const instance of instances) await nova.evacuate(instance.id);
    const migrations = await nova.listMigrations({
      migrationType: 'evacuation',
      sourceCompute: 'cmp-02',
      changesSince: incidentStart,
    });
    expect(migrations.map((m) => m.instanceId).sort()).toEqual(instances.map((i) => i.id).sort());
    expect(
      migrations.every(
        (m) => m.migrationType === 'evacuation' && m.sourceCompute === 'cmp-02' && m.uuid !== null,
      ),
    ).toBe(true);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect(await nova.listMigrations({ migrationType: 'evacuation', changesSince: later })).toEqual(
      [],
    );
  });

  it('lists the hypervisors with the service host that claims each', async () => {
    const { nova } = await connect(sim(), { pageSize: 1 });
    const hypervisors = await nova.listHypervisors();
    expect(hypervisors.map((h) => [h.serviceHost, h.hypervisorHostname])).toEqual([
      ['cmp-01', 'cmp-01'],
      ['cmp-02', 'cmp-02'],
      ['cmp-03', 'cmp-03'],
    ]);
  });
});

describe('single reads', () => {
  it('reads one instance, and its evacuate action with the events on the destination', async () => {
    const s = sim();
    const { nova } = await connect(s);
    const [moved] = await nova.listMigrations({
      migrationType: 'evacuation',
      sourceCompute: 'cmp-02',
    });
    if (moved === undefined) throw new Error('the paging test evacuated cmp-02 first');
    await expect.poll(async () => (await nova.getInstance(moved.instanceId)).taskState).toBeNull();
    const instance = await nova.getInstance(moved.instanceId);
    expect(instance.host).not.toBe('cmp-02');
    const evacuate = (await nova.listInstanceActions(instance.id)).find(
      (a) => a.action === 'evacuate',
    );
    if (evacuate === undefined) throw new Error('no evacuate action');
    const detail = await nova.getInstanceAction(instance.id, evacuate.requestId);
    expect(detail.events).toContainEqual(
      expect.objectContaining({
        event: 'compute_rebuild_instance',
        host: instance.host,
        result: 'Success',
      }),
    );
  });

  it('throws NotFound for an instance Nova does not know, naming it', async () => {
    const { nova } = await connect(sim());
    await expect(nova.getInstance('0e8f9c3a-0000-4000-8000-000000000000')).rejects.toMatchObject({
      type: 'NotFound',
      message: expect.stringMatching(
        /read instance 0e8f9c3a-0000-4000-8000-000000000000 \(404/,
      ) as unknown,
    });
  });
});

describe('retries', () => {
  it('recovers from a burst of 503s on a read, logging each retry', async () => {
    const s = sim();
    const { nova, logs } = await connect(s);
    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status: 503 },
      times: 2,
    });
    expect(await nova.listComputeServices()).toHaveLength(3);
    expect(logs.lines.filter((l) => l.includes('retrying in'))).toHaveLength(2);
  });

  it('gives up with CloudUnavailable after the configured attempts', async () => {
    const s = sim();
    const { nova, logs } = await connect(s);
    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-services',
      fault: { kind: 'status', status: 500 },
    });
    await expect(nova.listComputeServices()).rejects.toMatchObject({
      type: 'CloudUnavailable',
      details: { status: 500 },
    });
    s.clearFaults();
    // quickRetries allows four attempts: three retries.
    expect(logs.lines.filter((l) => l.includes('retrying in'))).toHaveLength(3);
  });

  it('retries a read whose connection was reset', async () => {
    const s = sim();
    const { nova } = await connect(s);
    s.addFault({
      service: 'nova',
      endpoint: 'GET /servers/detail',
      fault: { kind: 'reset' },
      times: 1,
    });
    const expected = s
      .state()
      .instances.filter((i) => i.host === 'cmp-03')
      .map((i) => i.uuid)
      .sort();
    expect((await nova.listInstancesOnHost('cmp-03')).map((i) => i.id).sort()).toEqual(expected);
    expect(s.faults()).toEqual([]);
  });

  it('does not retry a read Nova refused for good', async () => {
    const s = sim();
    const { nova, logs } = await connect(s);
    await expect(nova.getInstance('no-such-instance')).rejects.toMatchObject({ type: 'NotFound' });
    expect(logs.lines).toEqual([]);
  });
});
