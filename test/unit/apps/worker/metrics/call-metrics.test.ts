import { describe, expect, it } from 'vitest';
import type { MetricCounter, MetricMeter, MetricTags } from '@temporalio/common';
import { LazarusError } from '../../../../../activities/errors.ts';
import type { FenceDriver } from '../../../../../activities/fencing/index.ts';
import type { FencingProvider, NovaProvider } from '../../../../../activities/incident/index.ts';
import { countBmcCalls, countNovaCalls } from '../../../../../apps/worker/metrics/call-metrics.ts';

/** A meter that keeps what its counters were given, as `name operation=… outcome=…` lines. */
function recordingMeter(): { meter: MetricMeter; added: string[] } {
  const added: string[] = [];
  const counter = (name: string): MetricCounter => ({
    name,
    kind: 'counter',
    valueType: 'int',
    add(value: number, tags: MetricTags = {}) {
      const labels = Object.entries(tags).map(([key, tag]) => `${key}=${String(tag)}`);
      for (let n = 0; n < value; n += 1) added.push([name, ...labels].join(' '));
    },
    withTags: () => counter(name),
  });
  const unused = (): never => {
    throw new Error('only counters are used');
  };
  const meter: MetricMeter = {
    createCounter: counter,
    createHistogram: unused,
    createGauge: unused,
    withTags: () => meter,
  };
  return { meter, added };
}

/** Stands in for NovaClient, with a private field as the real one has. */
class FakeNova {
  readonly #services = ['nova-compute on cmp-01'];
  readonly #microversion = '2.95';
  get microversion(): string {
    return this.#microversion;
  }
  listComputeServices(): Promise<string[]> {
    return Promise.resolve(this.#services);
  }
  evacuate(): Promise<never> {
    return Promise.reject(new LazarusError('CloudUnavailable', 'Nova answered 503'));
  }
}

function novaProvider(client: () => Promise<FakeNova>): NovaProvider {
  return {
    client: client as unknown as NovaProvider['client'],
    requestTimeoutMs: 30_000,
    placement: () => Promise.reject(new Error('these tests read no Placement')),
    forgetCredentials: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

describe("the worker's counts of Nova's and the BMCs' answers", () => {
  it('count each Nova call by operation and outcome, and pass answers and failures through', async () => {
    const { meter, added } = recordingMeter();
    const nova = await countNovaCalls(
      novaProvider(() => Promise.resolve(new FakeNova())),
      meter,
    ).client();

    await expect(nova.listComputeServices()).resolves.toEqual(['nova-compute on cmp-01']);
    await expect(nova.evacuate('i-1')).rejects.toThrow('Nova answered 503');
    expect(nova.microversion).toBe('2.95');
    expect(added).toEqual([
      'lazarus_nova_calls operation=listComputeServices outcome=ok',
      'lazarus_nova_calls operation=evacuate outcome=CloudUnavailable',
    ]);
  });

  it('count a connection Keystone refuses as a failed connect', async () => {
    const { meter, added } = recordingMeter();
    const provider = countNovaCalls(
      novaProvider(() =>
        Promise.reject(new LazarusError('AuthenticationFailed', 'Keystone answered 401')),
      ),
      meter,
    );
    await expect(provider.client()).rejects.toThrow('Keystone answered 401');
    expect(added).toEqual(['lazarus_nova_calls operation=connect outcome=AuthenticationFailed']);
  });

  it("count each BMC call under the driver's protocol", async () => {
    const { meter, added } = recordingMeter();
    const driver: FenceDriver = {
      protocol: 'redfish',
      address: 'https://10.0.0.7',
      powerOffCommand: 'ForceOff',
      powerOff: () => Promise.resolve(),
      powerState: () =>
        Promise.reject(new LazarusError('BmcUnavailable', 'the BMC did not answer in 10 s')),
      powerOn: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const fencing: FencingProvider = {
      timing: { powerOffTimeoutMs: 20_000, pollIntervalMs: 1_000 },
      driverFor: () => Promise.resolve(driver),
    };
    const counted = await countBmcCalls(fencing, meter).driverFor('cmp-07');

    await counted.powerOff();
    await expect(counted.powerState()).rejects.toThrow('did not answer');
    expect(counted.protocol).toBe('redfish');
    expect(added).toEqual([
      'lazarus_bmc_calls protocol=redfish operation=powerOff outcome=ok',
      'lazarus_bmc_calls protocol=redfish operation=powerState outcome=BmcUnavailable',
    ]);
  });
});
