// Everything one host's BMC consists of: a Redfish server and, for IPMI hosts, ipmi_sim behind its
// fault relay. Both read and command the host's power through the same BmcPower.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BmcEndpoints, BmcFleetOptions, BmcHostSpec, IpmiEndpoint } from './bmc-contract.ts';
import type { BmcPower } from './bmc-power.ts';
import type { ChassisControlEndpoint } from './chassis-control-endpoint.ts';
import { startIpmiFaultRelay } from './ipmi-fault-relay.ts';
import { startIpmiSim } from './ipmi-sim-process.ts';
import { systemPathOf } from './redfish-resources.ts';
import { startRedfishServer } from './redfish-server.ts';
import { RedfishService } from './redfish-service.ts';
import type { ServerCertificate } from './tls-certificates.ts';

const USERNAME = 'admin';

export interface HostBmc {
  readonly power: BmcPower;
  readonly endpoints: BmcEndpoints;
  stop(): Promise<void>;
}

export interface HostBmcContext {
  options: BmcFleetOptions;
  power: BmcPower;
  certificate: ServerCertificate | undefined;
  chassisControl: ChassisControlEndpoint | undefined;
}

export async function startHostBmc(
  spec: BmcHostSpec,
  { options, power, certificate, chassisControl }: HostBmcContext,
): Promise<HostBmc> {
  // 16 hex characters: fits IPMI's 20-byte password limit; a fresh one per host and fleet.
  const password = randomBytes(8).toString('hex');
  const systemId = spec.host;
  const faults = () => power.faults;
  const service = new RedfishService({
    power,
    systemId,
    username: USERNAME,
    password,
    responseStyle: options.redfishResponseStyle,
    powerTransitionMs: options.powerTransitionMs,
    timeScale: options.timeScale,
  });
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    power.dispose();
    await Promise.all(stoppers.map((stopOne) => stopOne()));
  };
  try {
    const redfish = await startRedfishServer({
      service,
      faults,
      timeScale: options.timeScale,
      ...(certificate ? { certificate } : {}),
    });
    stoppers.push(() => redfish.close());
    let ipmi: IpmiEndpoint | undefined;
    if (spec.ipmi) {
      if (!chassisControl)
        throw new Error(
          `host ${spec.host} wants IPMI but the fleet started no chassis control endpoint`,
        );
      const sim = await startIpmiSim(join(options.workDir, 'ipmi', spec.host), {
        name: `bmc-${spec.host}`,
        chassisControl: `${chassisControl.program} ${spec.host}`,
        username: USERNAME,
        password,
      });
      stoppers.push(() => sim.stop());
      const relay = await startIpmiFaultRelay(sim.port, faults, options.timeScale);
      stoppers.push(() => relay.close());
      ipmi = { host: '127.0.0.1', port: relay.port, username: USERNAME, password };
    }
    const endpoints: BmcEndpoints = {
      redfish: {
        url: redfish.url,
        username: USERNAME,
        password,
        systemPath: systemPathOf(systemId),
        ...(certificate ? { caBundle: certificate.caBundle } : {}),
      },
      ...(ipmi ? { ipmi } : {}),
    };
    return { power, endpoints, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
