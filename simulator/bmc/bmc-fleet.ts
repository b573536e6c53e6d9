// Starts every host's BMC concurrently (50 hosts must be up in seconds) and stops them all,
// ipmi_sim children included.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BmcFaults, BmcFleet, BmcHostSpec, RackPdu, StartBmcFleet } from './bmc-contract.ts';
import { BmcPower } from './bmc-power.ts';
import { startChassisControlEndpoint } from './chassis-control-endpoint.ts';
import type { ChassisControlEndpoint } from './chassis-control-endpoint.ts';
import { startHostBmc } from './host-bmc.ts';
import type { HostBmc } from './host-bmc.ts';
import { startRackPdu } from './rack-pdu.ts';
import type { StartedRackPdu } from './rack-pdu.ts';
import { createServerCertificate } from './tls-certificates.ts';

/** Host names become URL path segments, file names and ipmi_sim config words. */
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function checkHosts(hosts: readonly BmcHostSpec[]): void {
  const seen = new Set<string>();
  for (const { host } of hosts) {
    if (!HOST_NAME.test(host))
      throw new Error(
        `cannot simulate a BMC for host "${host}": use letters, digits, . _ - (at most 63)`,
      );
    if (seen.has(host)) throw new Error(`host ${host} is listed twice; each host has one BMC`);
    seen.add(host);
  }
}

export const startBmcFleet: StartBmcFleet = async (hosts, options) => {
  checkHosts(hosts);
  if (!(options.timeScale > 0))
    throw new Error(`timeScale must be a positive number, got ${options.timeScale}`);
  await mkdir(join(options.workDir, 'ipmi'), { recursive: true });
  const powers = new Map(
    hosts.map(({ host }) => [host, new BmcPower(host, options.power, options.timeScale)]),
  );
  const certificate = options.tls
    ? await createServerCertificate(join(options.workDir, 'tls'))
    : undefined;
  const chassisControl: ChassisControlEndpoint | undefined = hosts.some((spec) => spec.ipmi)
    ? await startChassisControlEndpoint(powers, join(options.workDir, 'ipmi'))
    : undefined;
  const started = await Promise.allSettled(
    hosts.map((spec) =>
      startHostBmc(spec, {
        options,
        power: powerOf(powers, spec.host),
        certificate,
        chassisControl,
      }),
    ),
  );
  const bmcs = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
    await chassisControl?.close();
  };
  const failures = started.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0) {
    await stop();
    throw new AggregateError(
      failures,
      `${failures.length} of ${hosts.length} simulated BMCs failed to start: ${String(failures[0])}`,
    );
  }
  let pdu: StartedRackPdu | undefined;
  try {
    if (options.pdu !== undefined)
      pdu = await startRackPdu(
        hosts.map((spec) => spec.host),
        options.pdu,
        options,
        certificate,
      );
  } catch (error) {
    await stop();
    throw error;
  }
  const stopWithPdu = async () => {
    await pdu?.stop();
    await stop();
  };
  return fleetOf(bmcs, stopWithPdu, pdu);
};

function powerOf(powers: ReadonlyMap<string, BmcPower>, host: string): BmcPower {
  const power = powers.get(host);
  if (!power) throw new Error(`no BMC power for host ${host}`);
  return power;
}

function fleetOf(
  bmcs: readonly HostBmc[],
  stopAll: () => Promise<void>,
  pdu: RackPdu | undefined,
): BmcFleet {
  const byHost = new Map(bmcs.map((bmc) => [bmc.power.host, bmc]));
  let stopping: Promise<void> | undefined;
  return {
    endpoints: Object.fromEntries(bmcs.map((bmc) => [bmc.power.host, bmc.endpoints])),
    ...(pdu === undefined ? {} : { pdu }),
    setFaults(host: string, faults: BmcFaults) {
      const bmc = byHost.get(host);
      if (!bmc)
        throw new Error(
          `cannot set BMC faults on unknown host ${host}; known hosts: ${[...byHost.keys()].join(', ')}`,
        );
      bmc.power.faults = { ...faults };
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
