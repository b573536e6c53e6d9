// What Nova and the host's BMC say about a reported host, read once each, for the incident's
// corroboration rules (domain/corroboration.ts). Reads only: nothing here changes the host.
import { LazarusError } from '../errors.ts';
import type { NovaClient } from '../openstack/index.ts';
import type { FailureEvidence } from '../../domain/corroboration.ts';
import type { FenceProtocol, PowerState } from '../fencing/index.ts';
import { computeServiceOn } from './compute-service.ts';
import type { FencingProvider } from './incident-dependencies.ts';

export type BmcPowerReading =
  | { isReachable: true; power: PowerState; protocol: FenceProtocol; address: string }
  | { isReachable: false; why: string };

const explain = (error: unknown): string =>
  error instanceof LazarusError ? error.message : 'an unexpected error, see the worker log';

async function novaView(
  nova: () => Promise<NovaClient>,
  host: string,
): Promise<FailureEvidence['nova']> {
  try {
    const service = await computeServiceOn(await nova(), host);
    return {
      state: service.state,
      evidence: `Nova reports the nova-compute service of ${host} ${service.state} (last heartbeat ${service.updatedAt ?? 'never'})`,
    };
  } catch (error) {
    return { state: 'unknown', evidence: explain(error) };
  }
}

/** One read of `host`'s power through its BMC; a BMC that cannot be asked says why, it does not throw. */
export async function readBmcPower(
  fencing: FencingProvider,
  host: string,
): Promise<BmcPowerReading> {
  try {
    const driver = await fencing.driverFor(host);
    try {
      return {
        isReachable: true,
        power: await driver.powerState(),
        protocol: driver.protocol,
        address: driver.address,
      };
    } finally {
      await driver.close();
    }
  } catch (error) {
    return { isReachable: false, why: explain(error) };
  }
}

async function bmcView(fencing: FencingProvider, host: string): Promise<FailureEvidence['bmc']> {
  const reading = await readBmcPower(fencing, host);
  return reading.isReachable
    ? {
        isReachable: true,
        evidence: `the ${reading.protocol} BMC at ${reading.address} answers: power ${reading.power}`,
      }
    : { isReachable: false, evidence: reading.why };
}

/** Both views at once; a view that cannot be had is evidence too ("unknown", "unreachable"), never a failure. */
export async function gatherEvidence(
  nova: () => Promise<NovaClient>,
  fencing: FencingProvider,
  host: string,
): Promise<FailureEvidence> {
  const [novaEvidence, bmcEvidence] = await Promise.all([
    novaView(nova, host),
    bmcView(fencing, host),
  ]);
  return { nova: novaEvidence, bmc: bmcEvidence };
}
