// Starts the simulated rack PDU: one Redfish server (HTTPS with the fleet's CA, like the BMCs) whose
// outlets feed the fleet's hosts in order: A<n> (and B<n> for dual-PSU hosts) feeds the n-th host.
import { randomBytes } from 'node:crypto';
import type { BmcFleetOptions, PduEndpoint, RackPdu, RackPduOptions } from './bmc-contract.ts';
import { PduOutlets } from './pdu-outlets.ts';
import { RedfishPduService } from './redfish-pdu-service.ts';
import { startRedfishServer } from './redfish-server.ts';
import type { ServerCertificate } from './tls-certificates.ts';

const PDU_ID = '1';
const USERNAME = 'admin';

export interface StartedRackPdu extends RackPdu {
  stop(): Promise<void>;
}

export async function startRackPdu(
  hosts: readonly string[],
  pdu: RackPduOptions,
  options: BmcFleetOptions,
  certificate: ServerCertificate | undefined,
): Promise<StartedRackPdu> {
  const password = randomBytes(8).toString('hex');
  const banks = pdu.outletsPerHost === 2 ? ['A', 'B'] : ['A'];
  const feeds = Object.fromEntries(
    hosts.map((host, index) => [host, banks.map((bank) => `${bank}${index + 1}`)]),
  );
  const outlets = new PduOutlets(options.power, feeds);
  const server = await startRedfishServer({
    service: new RedfishPduService({
      outlets,
      pduId: PDU_ID,
      username: USERNAME,
      password,
      timeScale: options.timeScale,
    }),
    faults: () => outlets.faults,
    timeScale: options.timeScale,
    ...(certificate ? { certificate } : {}),
  });
  const endpoint: PduEndpoint = {
    url: server.url,
    username: USERNAME,
    password,
    rackPduId: PDU_ID,
    outlets: feeds,
    ...(certificate ? { caBundle: certificate.caBundle } : {}),
  };
  return {
    endpoint,
    setFaults(faults) {
      outlets.faults = { ...faults };
    },
    outletStates: () => outlets.snapshot(),
    stop: () => server.close(),
  };
}
