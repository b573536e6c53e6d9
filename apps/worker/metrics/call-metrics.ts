// How Nova and the BMCs answer this worker's activities, counted by outcome, for their error rates.
// Counted where the worker hands the activities their Nova and their fence drivers
// (IncidentDependencies), so the activities stay free of metrics as the workflows do.
//
// Unlike the incident metrics, these count what this worker process asked: add them up across
// workers with sum.
import type { MetricMeter } from '@temporalio/common';
import { LazarusError } from '../../../activities/errors.ts';
import type { FenceDeviceProtocol, FenceDriver } from '../../../activities/fencing/index.ts';
import type { FencingProvider, NovaProvider } from '../../../activities/incident/index.ts';

/** `ok`, or the failure's type from activities/errors.ts (`CloudUnavailable`, `BmcUnavailable`, …). */
function outcomeOf(error: unknown): string {
  return error instanceof LazarusError ? error.type : 'error';
}

/**
 * `target` whose every asynchronous method reports its outcome. A proxy rather than a wrapper per
 * method, so that a method added to NovaClient or FenceDriver is counted without a change here.
 */
function countingCalls<T extends object>(
  target: T,
  record: (operation: string, outcome: string) => void,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]): unknown => {
        // The real object as `this`: NovaClient's private fields are not reachable through a proxy.
        const result: unknown = Reflect.apply(value, object, args);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (answer: unknown) => {
            record(property, 'ok');
            return answer;
          },
          (error: unknown) => {
            record(property, outcomeOf(error));
            throw error;
          },
        );
      };
    },
  });
}

/** Nova as the activities see it, each call of its client counted in `lazarus_nova_calls`. */
export function countNovaCalls(nova: NovaProvider, meter: MetricMeter): NovaProvider {
  const calls = meter.createCounter(
    'lazarus_nova_calls',
    '',
    "this worker's calls of Nova by operation (a NovaClient method, or connect) and outcome (ok, or the failure type)",
  );
  const record = (operation: string, outcome: string): void => {
    calls.add(1, { operation, outcome });
  };
  const counted = new WeakMap<object, Awaited<ReturnType<NovaProvider['client']>>>();
  return {
    requestTimeoutMs: nova.requestTimeoutMs,
    async client() {
      let client;
      try {
        client = await nova.client();
      } catch (error) {
        // Only failures: once connected, client() hands out the same client without asking Keystone.
        record('connect', outcomeOf(error));
        throw error;
      }
      const wrapped = counted.get(client) ?? countingCalls(client, record);
      counted.set(client, wrapped);
      return wrapped;
    },
    // Placement is read once before an incident evacuates: not a rate worth a dashboard panel.
    placement: () => nova.placement(),
    forgetCredentials: () => nova.forgetCredentials(),
    close: () => nova.close(),
  };
}

/** The BMCs as the activities see them, each call of a fence driver counted in `lazarus_bmc_calls`. */
export function countBmcCalls(fencing: FencingProvider, meter: MetricMeter): FencingProvider {
  const calls = meter.createCounter(
    'lazarus_bmc_calls',
    '',
    "this worker's calls of BMCs by protocol, operation (powerOff, powerState, powerOn, close) and outcome (ok, or the failure type)",
  );
  const counting = <D extends FenceDriver<FenceDeviceProtocol>>(driver: D): D =>
    countingCalls(driver, (operation, outcome) => {
      calls.add(1, { protocol: driver.protocol, operation, outcome });
    });
  const { levelsFor } = fencing;
  return {
    timing: fencing.timing,
    async driverFor(host) {
      return counting(await fencing.driverFor(host));
    },
    // Every level's device is counted too, a PDU under its own protocol (redfish-pdu).
    ...(levelsFor === undefined
      ? {}
      : {
          levelsFor: (host: string) =>
            levelsFor(host).map((level) => ({
              ...level,
              connect: async () => counting(await level.connect()),
            })),
        }),
  };
}
