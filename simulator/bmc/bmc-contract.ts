// The seam between the simulated world (hosts, Nova) and the simulated BMCs (Redfish and IPMI).
// The world owns each host's real power; a BMC only reads it and asks to change it.

export type PowerState = 'On' | 'Off';

/** What switched a host's power: its BMC (Redfish or IPMI) or a rack PDU outlet feeding it. */
export type BmcProtocol = 'redfish' | 'ipmi' | 'redfish-pdu';

/** What a simulated BMC needs from the simulated world. */
export interface HostPowerPort {
  /** The host's real power right now. */
  powerState(host: string): PowerState;
  /**
   * Applies a power command the BMC accepted (after any simulated transition delay). The world
   * records it in the ledger and, on Off, stops the host's heartbeats and instances.
   */
  setPower(host: string, state: PowerState, via: BmcProtocol): void;
}

/** Faults a test can inject into one host's BMC. All off by default. */
export interface BmcFaults {
  /** Connections are refused or time out (Redfish) and no IPMI session can be established. */
  unreachable?: boolean;
  /** Valid credentials are rejected (401 / "Unable to establish IPMI v2 / RMCP+ session"). */
  badCredentials?: boolean;
  /** Power-off commands "succeed" but the power stays On. */
  ignorePowerOff?: boolean;
  /** The BMC reports this power state whatever the truth is (a lying BMC). */
  misreportPower?: PowerState;
  /** Extra latency on every Redfish response, in simulated milliseconds. */
  latencyMs?: number;
}

export interface RedfishEndpoint {
  /** Base URL; the service root is `${url}/redfish/v1`. */
  url: string;
  username: string;
  password: string;
  /** The ComputerSystem's path, e.g. /redfish/v1/Systems/<id>. */
  systemPath: string;
  /** PEM file of the CA that signed the BMC's certificate, when served over HTTPS. */
  caBundle?: string;
}

export interface IpmiEndpoint {
  host: string;
  port: number;
  username: string;
  password: string;
}

export interface BmcEndpoints {
  redfish: RedfishEndpoint;
  ipmi?: IpmiEndpoint;
}

export interface BmcHostSpec {
  host: string;
  /** Whether this host also gets an ipmi_sim BMC (every host gets Redfish). */
  ipmi: boolean;
}

export interface BmcFleetOptions {
  power: HostPowerPort;
  /** Simulated time runs this many times faster than real time (delays are divided by it). */
  timeScale: number;
  /** How long a Redfish power transition takes, in simulated milliseconds (PoweringOff in between). */
  powerTransitionMs: number;
  /** 204 (done, no body) or 202 with a task monitor to poll. */
  redfishResponseStyle: '204' | '202';
  /** Serve Redfish over HTTPS with a generated CA (default) or plain HTTP. */
  tls: boolean;
  /** A directory the fleet may write to (certificates, ipmi_sim configs and state). */
  workDir: string;
  /** Also start one switched rack PDU whose outlets feed the hosts (none without it). */
  pdu?: RackPduOptions;
}

export interface RackPduOptions {
  /** 1: outlet A<n> feeds the n-th host; 2: A<n> and B<n> (a dual-PSU host, unpowered only when both are Off). */
  outletsPerHost: 1 | 2;
}

/** The simulated rack PDU (Redfish PowerDistribution, same TLS CA as the BMCs). */
export interface PduEndpoint {
  /** Base URL; the PDU is at `${url}/redfish/v1/PowerEquipment/RackPDUs/${rackPduId}`. */
  url: string;
  username: string;
  password: string;
  rackPduId: string;
  /** Host → the Ids of the outlets feeding it. */
  outlets: Readonly<Record<string, readonly string[]>>;
  caBundle?: string;
}

export interface RackPdu {
  readonly endpoint: PduEndpoint;
  /** Replaces the PDU's faults: unreachable, badCredentials, ignorePowerOff (a welded relay), misreportPower, latencyMs. */
  setFaults(faults: BmcFaults): void;
  /** Each outlet's state, by Id: what the relays really are, whatever the PDU reports. */
  outletStates(): Readonly<Record<string, PowerState>>;
}

/** All BMCs of the simulated cloud. */
export interface BmcFleet {
  readonly endpoints: Readonly<Record<string, BmcEndpoints>>;
  /** The rack PDU, when the fleet was started with `pdu`. */
  readonly pdu?: RackPdu;
  setFaults(host: string, faults: BmcFaults): void;
  stop(): Promise<void>;
}

export type StartBmcFleet = (
  hosts: readonly BmcHostSpec[],
  options: BmcFleetOptions,
) => Promise<BmcFleet>;
