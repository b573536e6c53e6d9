// How Lazarus reaches one host's BMC, as the configuration resolves it. Passwords appear only as
// references (an environment variable or a file), read when a driver is built, so this object can
// be logged, compared or passed around without leaking a secret.

export type SecretReference = { env: string } | { file: string };

interface BmcCommon {
  username: string;
  password: SecretReference;
}

export interface RedfishBmc extends BmcCommon {
  protocol: 'redfish';
  /** Scheme, host and port, e.g. https://bmc-cmp-07.mgmt.example. */
  address: string;
  auth: 'session' | 'basic';
  /** The ComputerSystem Id, when the BMC lists more than one system. */
  systemId?: string;
}

export interface IpmiBmc extends BmcCommon {
  protocol: 'ipmi';
  /** Host name or IP address. */
  address: string;
  port: number;
  cipherSuite: number;
}

export type BmcEntry = RedfishBmc | IpmiBmc;

/** Fleet-wide fencing settings (the `fencing` section of the configuration). */
export interface FencingSettings {
  powerOffTimeoutMs: number;
  pollIntervalMs: number;
  /** Per Redfish request and per ipmitool call. */
  requestTimeoutMs: number;
  redfish: {
    /** PEM file of the CAs that signed the BMCs' certificates. */
    caBundle?: string;
    isInsecure: boolean;
  };
  ipmitool: string;
}
