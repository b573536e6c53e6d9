// Writes a lazarus.yaml that points Lazarus at a running simulator (`npm run sim`), from the JSON
// line the simulator prints. BMC passwords go to files readable only by their owner and the config
// references them, exactly as an operator's would (passwords are never inline).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { BmcEndpoints, PduEndpoint } from '../../simulator/bmc/bmc-contract.ts';

/** The part of the simulator's JSON line this needs. */
export interface SimulatorAnnouncement {
  cloud: string;
  cloudsYaml: string;
  bmcs: Readonly<Record<string, BmcEndpoints>>;
  /** The rack PDU, when the simulator was started with --pdu-outlets-per-host. */
  pdu?: PduEndpoint;
}

export interface SimulatorConfigFiles {
  configPath: string;
  /** The environment Lazarus needs besides the config: where clouds.yaml is. */
  env: Record<string, string>;
}

/** Hosts with an IPMI BMC are fenced over IPMI, the others over Redfish, so both drivers take part. */
export async function writeLazarusConfigForSimulator(
  sim: SimulatorAnnouncement,
  directory: string,
): Promise<SimulatorConfigFiles> {
  const secrets = join(directory, 'bmc-passwords');
  await mkdir(secrets, { recursive: true, mode: 0o700 });
  const bmcs = [];
  let caBundle: string | undefined;
  for (const [host, endpoints] of Object.entries(sim.bmcs)) {
    const passwordFile = join(secrets, host);
    const { ipmi, redfish } = endpoints;
    await writeFile(passwordFile, ipmi?.password ?? redfish.password, { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    caBundle ??= redfish.caBundle;
    bmcs.push(
      ipmi
        ? {
            host,
            protocol: 'ipmi',
            address: ipmi.host,
            port: ipmi.port,
            username: ipmi.username,
            passwordFile,
          }
        : {
            host,
            protocol: 'redfish',
            address: redfish.url,
            username: redfish.username,
            passwordFile,
          },
    );
  }
  const config = {
    openstack: { cloud: sim.cloud },
    fencing: caBundle === undefined ? {} : { redfish: { caBundle } },
    bmcs,
    // Only for a simulator started with a PDU: then every host's second fencing level is its outlets.
    ...(sim.pdu === undefined ? {} : { pdus: [await pduEntry(sim.pdu, secrets)] }),
  };
  const configPath = join(directory, 'lazarus.yaml');
  await writeFile(
    configPath,
    `# Generated for a simulated cloud; BMC passwords are in ${secrets}.\n${stringify(config)}`,
  );
  return { configPath, env: { OS_CLIENT_CONFIG_FILE: sim.cloudsYaml } };
}

async function pduEntry(pdu: PduEndpoint, secrets: string) {
  const passwordFile = join(secrets, 'pdu-sim');
  await writeFile(passwordFile, pdu.password, { mode: 0o600 });
  await chmod(passwordFile, 0o600);
  return {
    name: 'pdu-sim',
    address: pdu.url,
    username: pdu.username,
    passwordFile,
    rackPduId: pdu.rackPduId,
    outlets: pdu.outlets,
  };
}
