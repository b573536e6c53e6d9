// Nova's control plane works on a bounded number of evacuations at once; the others wait their turn
// (docs/nova-and-bmc-facts.md#nova-capacity). And the simulator counts the requests Nova received,
// and by route, so the bench can report each procedure's load on Nova and where it goes.
import { describe, expect, it } from 'vitest';
import { evacuations, failAndMarkDown, serversOn, useCloud } from './cloud.ts';

// One evacuation scheduled at a time, 4 simulated seconds each, at ten times real time.
const cloud = useCloud({
  hosts: 3,
  instancesPerHost: 3,
  timeScale: 10,
  timing: { schedulingMs: 4_000, schedulingConcurrency: 1, rebuildMs: 0 },
});

describe('Nova capacity', () => {
  it('schedules the evacuations it accepted together one after another, and counts every request', async () => {
    const c = cloud();
    await failAndMarkDown(c, 'cmp-01');
    const ids = (await serversOn(c, 'cmp-01')).map((s) => s.id);
    const before = c.sim.novaRequests();
    const byKindBefore = c.sim.novaRequestsByKind();
    const answers = await Promise.all(
      ids.map((id) =>
        c.nova('POST', `/servers/${id}/action`, { microversion: '2.53', body: { evacuate: {} } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(c.sim.novaRequests() - before).toBe(3);
    await c.nova('GET', '/no-such-thing', { microversion: '2.53' });
    const byKind = c.sim.novaRequestsByKind();
    expect({
      evacuates:
        (byKind['POST servers/{id}/action'] ?? 0) - (byKindBefore['POST servers/{id}/action'] ?? 0),
      other: (byKind['GET (other)'] ?? 0) - (byKindBefore['GET (other)'] ?? 0),
    }).toEqual({ evacuates: 3, other: 1 });

    // Each took 4 simulated seconds (0.4 real ones), one after another: Nova stamped their ends at
    // least that far apart (timers never fire early); without the limit they end together.
    const ended = await c.until(async () => {
      const migrations = (await Promise.all(ids.map((id) => evacuations(c, id)))).flat();
      return migrations.every((m) => m.status === 'done') ? migrations : undefined;
    }, 'every evacuation to land');
    const stamps = ended.map((m) => Date.parse(`${m.updated_at ?? ''}Z`)).sort((a, b) => a - b);
    const gaps = stamps.slice(1).map((stamp, i) => stamp - (stamps[i] ?? 0));
    expect(gaps.every((gap) => gap >= 390)).toBe(true);
  });
});
