// Lazarus speaks 2.53 to 2.95 and picks the highest both sides know; whether evacuated instances
// end stopped follows from that choice (docs/nova-and-bmc-facts.md#microversion-negotiation,
// docs/nova-and-bmc-facts.md#power-state-after-evacuation).
import { describe, expect, it } from 'vitest';
import {
  negotiateMicroversion,
  versionDocumentUrl,
} from '../../../../activities/openstack/nova-microversion.ts';
import type { NovaClient } from '../../../../activities/openstack/index.ts';
import type { Simulator } from '../../../../simulator/simulator.ts';
import { connect, failAndForceDown, useSimulator } from './cloud.ts';

describe('negotiateMicroversion', () => {
  it('takes the server maximum when it is below 2.95, as on Zed', () => {
    expect(negotiateMicroversion({ min: '2.1', max: '2.93' })).toEqual({
      minor: 93,
      text: '2.93',
      doesEvacuateStopInstances: false,
    });
  });

  it('stops at 2.95 on a newer Nova, and knows evacuated instances then end stopped', () => {
    expect(negotiateMicroversion({ min: '2.1', max: '2.104' })).toEqual({
      minor: 95,
      text: '2.95',
      doesEvacuateStopInstances: true,
    });
  });

  it('honours a lower ceiling set by the operator', () => {
    expect(negotiateMicroversion({ min: '2.1', max: '2.104' }, 94)).toMatchObject({
      text: '2.94',
      doesEvacuateStopInstances: false,
    });
  });

  it.each([
    [
      { min: '2.1', max: '2.52' },
      /Nova supports microversions 2.1 to 2.52, Lazarus needs one between 2.53 and 2.95/,
    ],
    [{ min: '', max: '' }, /\(none\)/],
  ])('refuses a Nova without a common microversion (%j)', (server, message) => {
    expect(() => negotiateMicroversion(server)).toThrow(
      expect.objectContaining({
        type: 'MicroversionUnsupported',
        message: expect.stringMatching(message) as unknown,
      }),
    );
  });
});

describe('versionDocumentUrl', () => {
  it.each([
    ['http://nova:8774/v2.1', 'http://nova:8774/v2.1/'],
    [
      'https://cloud.example.com/compute/v2.1/6f70656e737461636b',
      'https://cloud.example.com/compute/v2.1/',
    ],
  ])('finds the v2.1 version document of %s', (endpoint, expected) => {
    expect(versionDocumentUrl(endpoint)).toBe(expected);
  });

  it('rejects a compute endpoint that is not the v2.1 API', () => {
    expect(() => versionDocumentUrl('http://nova:8774/v2/6f70')).toThrow(
      expect.objectContaining({ type: 'ConfigurationInvalid' }),
    );
  });
});

async function evacuateOneActive(sim: Simulator, nova: NovaClient, host: string): Promise<string> {
  const active = (await failAndForceDown(sim, nova, host)).find((i) => i.status === 'ACTIVE');
  if (active === undefined) throw new Error(`no ACTIVE instance on ${host}`);
  await nova.evacuate(active.id);
  await expect.poll(async () => (await nova.getInstance(active.id)).taskState).toBeNull();
  return (await nova.getInstance(active.id)).status;
}

describe.each([
  [93, '2.93', 'ACTIVE'],
  [95, '2.95', 'SHUTOFF'],
])('against a Nova whose maximum is 2.%i', (max, expected, statusAfter) => {
  const sim = useSimulator({ hosts: 2, instancesPerHost: 4, novaMaxMicroversion: max });

  it(`uses ${expected}, and an evacuated ACTIVE instance ends ${statusAfter}`, async () => {
    const { nova } = await connect(sim());
    expect(nova.microversion.text).toBe(expected);
    expect(await evacuateOneActive(sim(), nova, 'cmp-01')).toBe(statusAfter);
    expect(
      sim()
        .ledger()
        .find((e) => e.kind === 'evacuate'),
    ).toMatchObject({ microversion: expected });
  });
});

describe('against a Nova older than Pike', () => {
  const sim = useSimulator({ hosts: 1, instancesPerHost: 1, novaMaxMicroversion: 52 });

  it('refuses to connect, saying which versions each side has', async () => {
    await expect(connect(sim())).rejects.toMatchObject({
      type: 'MicroversionUnsupported',
      message: expect.stringMatching(/2\.1 to 2\.52.*upgrade Nova/) as unknown,
    });
  });
});
