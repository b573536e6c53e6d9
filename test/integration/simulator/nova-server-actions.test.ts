// os-start, os-stop, lock, unlock and os-resetState, with Nova's state checks (compute/api.py).
import { describe, expect, it } from 'vitest';
import type { TestCloud } from './cloud.ts';
import { failAndMarkDown, firstServer, server, useCloud } from './cloud.ts';
import { loadSample } from './shape.ts';

// Rebuilds take a simulated hour, so an evacuation is still in flight whenever a test looks.
const cloud = useCloud({ hosts: 2, instancesPerHost: 8, timing: { rebuildMs: 3_600_000 } });

function act(
  c: TestCloud,
  id: string,
  body: unknown,
  microversion = '2.73',
): ReturnType<TestCloud['nova']> {
  return c.nova('POST', `/servers/${id}/action`, { microversion, body });
}

describe('server actions', () => {
  it('stops and starts a server with the sample bodies, answering 202 and recording each action', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    const stop = await act(
      c,
      victim.id,
      loadSample('nova-api-samples/servers/server-action-stop.json'),
    );
    expect(stop.status).toBe(202);
    await c.until(
      async () => ((await server(c, victim.id)).status === 'SHUTOFF' ? true : undefined),
      'the server to stop',
    );
    expect(
      (await act(c, victim.id, loadSample('nova-api-samples/servers/server-action-start.json')))
        .status,
    ).toBe(202);
    await c.until(
      async () => ((await server(c, victim.id)).status === 'ACTIVE' ? true : undefined),
      'the server to start',
    );
    const actions = await c.nova('GET', `/servers/${victim.id}/os-instance-actions`, {
      microversion: '2.84',
    });
    const names = (
      actions.body as { instanceActions: { action: string; request_id: string }[] }
    ).instanceActions.map((a) => a.action);
    expect(names.slice(0, 2)).toEqual(['start', 'stop']);
    expect(stop.headers.get('x-openstack-request-id')).toBe(
      (actions.body as { instanceActions: { request_id: string }[] }).instanceActions[1]
        ?.request_id,
    );
  });

  it('answers 409 for a start of a running server and a stop during an evacuation', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-02', 'ACTIVE');
    expect(await act(c, victim.id, { 'os-start': null })).toMatchObject({
      status: 409,
      body: {
        conflictingRequest: {
          code: 409,
          message: `Cannot 'start' instance ${victim.id} while it is in vm_state active`,
        },
      },
    });
    await failAndMarkDown(c, 'cmp-02');
    expect((await act(c, victim.id, { evacuate: {} })).status).toBe(200);
    expect(await act(c, victim.id, { 'os-stop': null })).toMatchObject({
      status: 409,
      body: {
        conflictingRequest: {
          message: `Cannot 'stop' instance ${victim.id} while it is in task_state rebuilding`,
        },
      },
    });
  });

  it('locks with a reason from 2.73 and unlocks', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    expect((await act(c, victim.id, { lock: { locked_reason: 'maintenance' } })).status).toBe(202);
    const locked = await c.nova('GET', `/servers/${victim.id}`, { microversion: '2.73' });
    expect(locked.body).toMatchObject({ server: { locked: true, locked_reason: 'maintenance' } });
    expect((await act(c, victim.id, { unlock: null })).status).toBe(202);
    expect(
      (await c.nova('GET', `/servers/${victim.id}`, { microversion: '2.73' })).body,
    ).toMatchObject({ server: { locked: false, locked_reason: null } });
  });

  it('resets the state to error and back, clearing the task state', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    expect((await act(c, victim.id, { 'os-resetState': { state: 'error' } })).status).toBe(202);
    expect(await server(c, victim.id)).toMatchObject({
      status: 'ERROR',
      'OS-EXT-STS:task_state': null,
    });
    expect((await act(c, victim.id, { 'os-resetState': { state: 'active' } })).status).toBe(202);
    expect((await server(c, victim.id)).status).toBe('ACTIVE');
  });

  it('answers 404 for an unknown action and 400 for a body with two', async () => {
    const c = cloud();
    const victim = await firstServer(c, 'cmp-01', 'ACTIVE');
    expect(await act(c, victim.id, { 'os-explode': null })).toMatchObject({
      status: 404,
      body: { itemNotFound: { message: 'There is no such action: os-explode' } },
    });
    expect((await act(c, victim.id, { lock: null, unlock: null })).status).toBe(400);
  });
});
