// A lazarus.yaml for a simulated cloud started in-process, as the CLI tests need it: BMC entries for
// the hosts named (one of them over IPMI when asked), passwords in the environment, never the file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cloudName } from '../../simulator/clouds-yaml.ts';
import type { Simulator } from '../../simulator/simulator.ts';

export interface SimulatedConfigOptions {
  /** The host whose BMC entry uses IPMI (when the simulator gave it one); Redfish for the others. */
  ipmiHost?: string;
  /** Raw YAML appended after the BMC entries (more entries, or further sections). */
  extra?: string;
  /**
   * Also a `pdus` entry for the simulator's rack PDU (started with `bmc.pdu`), feeding the hosts
   * named: their second fencing level. Off by default, so a host's only level stays its BMC.
   */
  isPduIncluded?: boolean;
  /** The file's name, next to the simulator's clouds.yaml. */
  fileName: string;
}

const passwordEnvOf = (host: string): string =>
  `BMC_PASSWORD_${host.replaceAll('-', '_').toUpperCase()}`;

const PDU_PASSWORD_ENV = 'PDU_PASSWORD_SIMULATED_RACK';

/** OS_CLIENT_CONFIG_FILE and every BMC's password variable, for the `lazarus` process. */
export function simulatedCloudEnv(sim: Simulator): Record<string, string> {
  const env: Record<string, string> = { OS_CLIENT_CONFIG_FILE: sim.cloudsYamlPath };
  for (const [host, bmc] of Object.entries(sim.bmcs))
    env[passwordEnvOf(host)] = bmc.redfish.password;
  if (sim.pdu !== undefined) env[PDU_PASSWORD_ENV] = sim.pdu.endpoint.password;
  return env;
}

export async function writeSimulatedCloudConfig(
  sim: Simulator,
  covered: readonly string[],
  options: SimulatedConfigOptions,
): Promise<string> {
  const entries = covered.map((host) => {
    const bmc = sim.bmcs[host];
    if (bmc === undefined) throw new Error(`the simulator has no BMC for ${host}`);
    const passwordEnv = `  passwordEnv: ${passwordEnvOf(host)}`;
    if (host === options.ipmiHost && bmc.ipmi) {
      return [
        `- host: ${host}`,
        '  protocol: ipmi',
        `  address: ${bmc.ipmi.host}`,
        `  port: ${bmc.ipmi.port}`,
        `  username: ${bmc.ipmi.username}`,
        passwordEnv,
      ];
    }
    return [
      `- host: ${host}`,
      '  protocol: redfish',
      `  address: ${bmc.redfish.url}`,
      `  username: ${bmc.redfish.username}`,
      passwordEnv,
    ];
  });
  const caBundle = Object.values(sim.bmcs)[0]?.redfish.caBundle ?? '';
  const path = join(sim.cloudsYamlPath, '..', options.fileName);
  await writeFile(
    path,
    [
      `openstack:\n  cloud: ${cloudName}`,
      `fencing:\n  pollIntervalSeconds: 0.01\n  requestTimeoutSeconds: 5\n  redfish:\n    caBundle: ${caBundle}`,
      'bmcs:',
      ...entries.flat().map((line) => `  ${line}`),
      ...(options.isPduIncluded === true ? pduSection(sim, covered) : []),
      options.extra ?? '',
      '',
    ].join('\n'),
  );
  return path;
}

/** The simulator's rack PDU as a `pdus` entry, with the outlets of the hosts named. */
function pduSection(sim: Simulator, covered: readonly string[]): string[] {
  const pdu = sim.pdu?.endpoint;
  if (pdu === undefined) throw new Error('the simulator has no PDU; start it with bmc: { pdu: … }');
  return [
    'pdus:',
    '  - name: pdu-sim',
    `    address: ${pdu.url}`,
    `    username: ${pdu.username}`,
    `    passwordEnv: ${PDU_PASSWORD_ENV}`,
    `    rackPduId: "${pdu.rackPduId}"`,
    '    outlets:',
    ...covered.map((host) => `      ${host}: [${(pdu.outlets[host] ?? []).join(', ')}]`),
  ];
}
