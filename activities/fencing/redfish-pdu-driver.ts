// RedfishPduDriver: fencing through the outlets of a switched rack PDU that feed one host
// (DMTF PowerDistribution and Outlet schemas, docs/nova-and-bmc-facts.md#switched-pdus-over-redfish).
// An outlet Off cuts the power whatever the host's BMC and OS do, so it is the second fencing level
// when the BMC cannot be reached or does not prove Off (docs/design.md#fencing-levels). The host is
// unpowered through this PDU only when every one of its outlets reads Off.
import { LazarusError } from '../errors.ts';
import { combinedPowerState } from './combined-power-state.ts';
import type { FenceDriver, PowerState } from './fence-driver.ts';
import { outletSchema, RACK_PDUS_PATH } from './pdu-resources.ts';
import type { Outlet } from './pdu-resources.ts';
import type { RedfishConnectionOptions } from './redfish-client.ts';
import { RedfishClient, redfishMessage } from './redfish-client.ts';
import type { RedfishDevice } from './redfish-reads.ts';
import { onlyMemberOf, parseResource } from './redfish-reads.ts';

export interface RedfishPduDriverOptions extends RedfishConnectionOptions {
  /** The operator's name for the PDU, in messages. */
  name: string;
  /** The RackPDU's Id; may be left out when the PDU lists exactly one. */
  rackPduId?: string;
  /** The outlets feeding the host, e.g. ["A1", "A2"] for a dual-PSU server on one PDU. */
  outletIds: readonly string[];
}

type OutletPower = 'Off' | 'On';

/** The outlet states that show a PowerControl of this value was carried out or is under way. */
const SETTLED_BY: Record<OutletPower, readonly PowerState[]> = {
  Off: ['Off', 'PoweringOff'],
  On: ['On', 'PoweringOn'],
};

export class RedfishPduDriver implements FenceDriver<'redfish-pdu'> {
  readonly protocol = 'redfish-pdu';
  readonly powerOffCommand = 'Outlet.PowerControl Off';
  readonly address: string;
  readonly #client: RedfishClient;
  readonly #device: RedfishDevice;
  readonly #options: RedfishPduDriverOptions;
  #rackPduPath: string | undefined;

  constructor(options: RedfishPduDriverOptions) {
    this.#client = new RedfishClient({
      ...options,
      deviceKind: 'PDU',
      deviceName: options.name,
    });
    this.#options = options;
    this.address = `${this.#client.baseUrl} outlet${options.outletIds.length === 1 ? '' : 's'} ${options.outletIds.join(', ')}`;
    this.#device = {
      client: this.#client,
      describedAs: `Redfish PDU ${options.name} at ${this.#client.baseUrl}`,
      feature: 'Redfish PowerDistribution outlets (Outlet.PowerControl)',
    };
    this.#rackPduPath =
      options.rackPduId === undefined
        ? undefined
        : `${RACK_PDUS_PATH}/${encodeURIComponent(options.rackPduId)}`;
  }

  async powerState(): Promise<PowerState> {
    const outlets = await Promise.all(this.#options.outletIds.map((id) => this.outlet(id)));
    return combinedPowerState(outlets.map(({ outlet }) => outlet.PowerState));
  }

  powerOff(): Promise<void> {
    return this.switchAll('Off');
  }

  powerOn(): Promise<void> {
    return this.switchAll('On');
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  private async switchAll(power: OutletPower): Promise<void> {
    // One outlet after another, as Pacemaker switches the devices of one level: a refusal of the
    // first is reported before the second is touched.
    for (const id of this.#options.outletIds) await this.switchOutlet(id, power);
  }

  private async switchOutlet(id: string, power: OutletPower): Promise<void> {
    const { path, outlet } = await this.outlet(id);
    if (SETTLED_BY[power].includes(outlet.PowerState)) return;
    const control = outlet.Actions?.['#Outlet.PowerControl'];
    if (
      control === undefined ||
      outlet.PowerEnabled === false ||
      outlet.PowerControlLocked === true
    )
      throw new LazarusError(
        'BmcUnsupported',
        `${this.#device.describedAs} does not let outlet ${id} be switched (${path}: ${control === undefined ? 'no #Outlet.PowerControl action' : 'PowerEnabled false or PowerControlLocked true'}); ` +
          'unlock the outlet on the PDU, or remove it from this host in pdus',
        { bmc: this.#client.baseUrl, path },
      );
    const response = await this.#client.post(control.target, { PowerState: power });
    // 202 is a task the read-back outlasts anyway: fenceHost reads the outlet until it is Off.
    if ([200, 202, 204].includes(response.status)) return;
    const after = (await this.outlet(id)).outlet.PowerState;
    if (SETTLED_BY[power].includes(after)) return;
    throw new LazarusError(
      'BmcUnavailable',
      `${this.#device.describedAs} did not switch outlet ${id} ${power} (POST ${control.target} → ${response.status}${redfishMessage(response.body)}) ` +
        `and reports it "${after}"; Lazarus will retry, check the PDU if it persists`,
      { bmc: this.#client.baseUrl, status: response.status, powerState: after, outlet: id },
    );
  }

  private async outlet(id: string): Promise<{ path: string; outlet: Outlet }> {
    const path = `${await this.rackPduPath()}/Outlets/${encodeURIComponent(id)}`;
    const response = await this.#client.get(path);
    if (response.status === 404)
      throw new LazarusError(
        'ConfigurationInvalid',
        `${this.#device.describedAs} has no outlet ${path}; correct the outlet Ids of this host in pdus (GET ${await this.rackPduPath()}/Outlets lists them)`,
        { bmc: this.#client.baseUrl, path },
      );
    return { path, outlet: parseResource(this.#device, outletSchema, response, path) };
  }

  private async rackPduPath(): Promise<string> {
    this.#rackPduPath ??= await onlyMemberOf(
      this.#device,
      RACK_PDUS_PATH,
      'rack PDUs',
      `set rackPduId for PDU ${this.#options.name} in pdus`,
    );
    return this.#rackPduPath;
  }
}
