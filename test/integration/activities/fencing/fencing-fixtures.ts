// Builds real fence drivers for the simulator's BMCs, the way the worker builds them from its
// configuration: passwords by reference (an environment variable), warnings captured.
import type {
  BmcEntry,
  FenceDriver,
  FencingSettings,
  FencingTiming,
} from '../../../../activities/fencing/index.ts';
import { createFenceDriver } from '../../../../activities/fencing/index.ts';
import type { IpmiEndpoint, RedfishEndpoint } from '../../../../simulator/bmc/index.ts';

/** Real milliseconds: the simulated BMCs run with a large timeScale, so power changes take a few ms. */
export const TIMING: FencingTiming = { powerOffTimeoutMs: 400, pollIntervalMs: 10 };

export function settings(overrides: Partial<FencingSettings> = {}): FencingSettings {
  return {
    ...TIMING,
    requestTimeoutMs: 5000,
    redfish: { isInsecure: false },
    ipmitool: 'ipmitool',
    ...overrides,
  };
}

let nextVariable = 0;

/** Puts the password in a fresh environment variable and returns the reference to it. */
export function passwordInEnvironment(password: string): { env: string } {
  nextVariable += 1;
  const env = `LAZARUS_TEST_BMC_PASSWORD_${nextVariable}`;
  process.env[env] = password;
  return { env };
}

export interface BuiltDriver {
  driver: FenceDriver;
  warnings: string[];
}

export async function redfishDriverFor(
  endpoint: RedfishEndpoint,
  options: {
    password?: string;
    auth?: 'session' | 'basic';
    trustCa?: boolean;
    isInsecure?: boolean;
    systemId?: string;
  } = {},
): Promise<BuiltDriver> {
  const bmc: BmcEntry = {
    protocol: 'redfish',
    address: endpoint.url,
    username: endpoint.username,
    auth: options.auth ?? 'session',
    password: passwordInEnvironment(options.password ?? endpoint.password),
    ...(options.systemId === undefined ? {} : { systemId: options.systemId }),
  };
  const trustCa = options.trustCa ?? true;
  const redfish = {
    isInsecure: options.isInsecure ?? false,
    ...(trustCa && endpoint.caBundle !== undefined ? { caBundle: endpoint.caBundle } : {}),
  };
  return build(bmc, settings({ redfish }));
}

export function ipmiDriverFor(
  endpoint: IpmiEndpoint,
  options: { password?: string; ipmitool?: string } = {},
): Promise<BuiltDriver> {
  const bmc: BmcEntry = {
    protocol: 'ipmi',
    address: endpoint.host,
    port: endpoint.port,
    username: endpoint.username,
    cipherSuite: 3,
    password: passwordInEnvironment(options.password ?? endpoint.password),
  };
  return build(bmc, settings(options.ipmitool === undefined ? {} : { ipmitool: options.ipmitool }));
}

async function build(bmc: BmcEntry, fencingSettings: FencingSettings): Promise<BuiltDriver> {
  const warnings: string[] = [];
  const driver = await createFenceDriver(bmc, {
    host: 'cmp-01',
    settings: fencingSettings,
    warn: (message) => warnings.push(message),
  });
  return { driver, warnings };
}
