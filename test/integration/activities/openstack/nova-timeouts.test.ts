// Every request has a deadline: a slow read is retried and then fails as CloudUnavailable; a slow
// evacuate is reported as unknown, because Nova may still act on it, and here it does.
import { describe, expect, it } from 'vitest';
import { connect, failAndForceDown, useSimulator } from './cloud.ts';

// The simulator's latency is in simulated milliseconds: 1000× real time. The deadline is long enough
// for the requests that set the client up to pass on a loaded machine.
const sim = useSimulator({ hosts: 2, instancesPerHost: 2 });
const aMinuteOfSimulatedTime = 60_000_000;
const DEADLINE_MS = 1_000;

describe('deadlines', () => {
  it('gives up on a read that does not answer in time, after retrying', async () => {
    const s = sim();
    const { nova, logs } = await connect(s, { timeoutMs: DEADLINE_MS });
    s.addFault({
      service: 'nova',
      endpoint: 'GET /os-hypervisors/detail',
      fault: { kind: 'latency', ms: aMinuteOfSimulatedTime },
    });
    await expect(nova.listHypervisors()).rejects.toMatchObject({
      type: 'CloudUnavailable',
      message: expect.stringMatching(/no complete answer within 1000 ms/) as unknown,
    });
    s.clearFaults();
    expect(logs.lines.filter((l) => l.includes('retrying in'))).toHaveLength(3);
  });

  it('reports an evacuate whose answer did not come in time as unknown; Nova then accepts it once', async () => {
    const s = sim();
    const { nova } = await connect(s, { timeoutMs: DEADLINE_MS });
    const [instance] = await failAndForceDown(s, nova, 'cmp-01');
    if (instance === undefined) throw new Error('cmp-01 has no instances');
    s.addFault({
      service: 'nova',
      endpoint: 'POST /servers/{id}/action',
      action: 'evacuate',
      fault: { kind: 'latency', ms: 2 * DEADLINE_MS * 1000 },
      times: 1,
    });
    expect(await nova.evacuate(instance.id)).toMatchObject({
      outcome: 'unknown',
      reason: expect.stringMatching(/no complete answer within 1000 ms/) as unknown,
    });
    await expect
      .poll(
        () => s.ledger().filter((e) => e.kind === 'evacuate' && e.instance === instance.id).length,
        { timeout: 10_000 },
      )
      .toBe(1);
  });
});
