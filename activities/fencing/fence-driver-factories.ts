// Builds the FenceDriver for a BMC entry: one factory per protocol, secrets read at this moment.
import { readFile } from 'node:fs/promises';
import { LazarusError } from '../errors.ts';
import type { BmcEntry, FencingSettings, IpmiBmc, RedfishBmc } from './bmc-entry.ts';
import type { FenceDriver, FenceProtocol } from './fence-driver.ts';
import { IpmiDriver } from './ipmi-driver.ts';
import { RedfishDriver } from './redfish-driver.ts';
import { readSecret } from './secret-reference.ts';

export interface DriverContext {
  host: string;
  settings: FencingSettings;
  /** Where loud warnings go (an insecure TLS switch). */
  warn: (message: string) => void;
}

type Factories = { [P in FenceProtocol]: (bmc: Extract<BmcEntry, { protocol: P }>, password: string, context: DriverContext) => Promise<FenceDriver> };

const FACTORIES: Factories = {
  redfish: async (bmc: RedfishBmc, password, { settings, warn }) => {
    const { caBundle, isInsecure } = settings.redfish;
    return new RedfishDriver({
      baseUrl: bmc.address, username: bmc.username, password, auth: bmc.auth, isInsecure, warn,
      requestTimeoutMs: settings.requestTimeoutMs, taskTimeoutMs: settings.powerOffTimeoutMs, pollIntervalMs: settings.pollIntervalMs,
      ...(caBundle === undefined ? {} : { caBundle: await readCaBundle(caBundle) }),
      ...(bmc.systemId === undefined ? {} : { systemId: bmc.systemId }),
    });
  },
  ipmi: (bmc: IpmiBmc, password, { settings }) => Promise.resolve(new IpmiDriver({
    host: bmc.address, port: bmc.port, username: bmc.username, password, cipherSuite: bmc.cipherSuite,
    commandTimeoutMs: settings.requestTimeoutMs, executable: settings.ipmitool,
  })),
};

export async function createFenceDriver(bmc: BmcEntry, context: DriverContext): Promise<FenceDriver> {
  const password = await readSecret(bmc.password, `the BMC password of host ${context.host}`);
  // TypeScript cannot narrow the pair (factory, entry) by the shared key; the Factories type keeps them matched.
  const factory = FACTORIES[bmc.protocol] as (entry: BmcEntry, password: string, context: DriverContext) => Promise<FenceDriver>;
  return factory(bmc, password, context);
}

async function readCaBundle(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new LazarusError(
      'ConfigurationInvalid',
      `fencing.redfish.caBundle ${path} cannot be read (${error instanceof Error ? error.message : String(error)}); point it at the PEM file of the CA that signed the BMCs' certificates`,
      { caBundle: path },
    );
  }
}
