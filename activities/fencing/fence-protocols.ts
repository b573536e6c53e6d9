// The fence protocol registry: everything Lazarus knows about a BMC protocol outside its driver.
// The configuration schema, the inventory's resolution of entries, the labels of errors and the
// preflight table all read this table, so a protocol is a driver file plus one entry here.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { text, flag } from '../../config/config-fields.ts';
import type { Override } from '../../config/environment-overrides.ts';
import { LazarusError } from '../errors.ts';
import type { BmcCommon, BmcEntry, FencingSettings, FencingTimeouts } from './bmc-entry.ts';
import type { FenceDriver } from './fence-driver.ts';
import { IpmiDriver } from './ipmi-driver.ts';
import { ipmiAddress } from './ipmitool.ts';
import { RedfishDriver } from './redfish-driver.ts';

/** A bmcs entry once resolved: the fields every protocol shares and this protocol's own, defaults applied. */
export type ResolvedEntry<Fields extends z.ZodRawShape> = BmcCommon & z.output<z.ZodObject<Fields>>;

export interface DriverContext<Settings> {
  host: string;
  settings: FencingTimeouts & Settings;
  /** Where loud warnings go (an insecure TLS switch). */
  warn: (message: string) => void;
}

/**
 * `Driver` is the driver class the definition builds, not FenceDriver: FenceDriver's protocol names
 * come from this registry, and typing the registry by them would make its type circular. The driver
 * class's `implements FenceDriver` is what checks it.
 */
export interface FenceProtocolDefinition<
  Fields extends z.ZodRawShape,
  Settings extends z.ZodRawShape,
  Driver extends { readonly protocol: string },
> {
  /** How operators write the protocol's name in prose and errors ("Redfish"). */
  label: string;
  /** Shown when an entry has no address: what this protocol's address looks like. */
  addressExample: string;
  /** Why `address` cannot reach this protocol's BMC, or undefined when it can. */
  addressProblem: (address: string) => string | undefined;
  /**
   * The fields only this protocol's bmcs entries take, with their defaults. Defaults are applied
   * after a host entry has overridden its group's fields, so a host entry never resets a group's value.
   * Text fields may use the pattern's placeholders and {host}.
   */
  entrySchema: z.ZodObject<Fields, z.core.$strict>;
  /** What to write instead of another protocol's field, by that field's name; otherwise "remove them". */
  insteadOf?: Readonly<Record<string, string>>;
  /** Fields this protocol adds to the fleet-wide `fencing` section, already in the shape its driver takes. */
  settingsSchema: Settings;
  /** Environment variables that override those fields (listed in config/README.md). */
  environment: readonly Override[];
  /** Where the BMC is, for tables and messages: never a credential. */
  describeEndpoint: (entry: ResolvedEntry<Fields>) => string;
  /** Builds the driver; `password` was read from the entry's reference just now and must stay in private fields. */
  createDriver: (
    entry: ResolvedEntry<Fields>,
    password: string,
    context: DriverContext<z.output<z.ZodObject<Settings>>>,
  ) => Promise<Driver>;
}

/** Infers a definition's types from its schemas, so its functions are checked against its own fields. */
function fenceProtocol<
  Fields extends z.ZodRawShape,
  Settings extends z.ZodRawShape,
  Driver extends { readonly protocol: string },
>(
  definition: FenceProtocolDefinition<Fields, Settings, Driver>,
): FenceProtocolDefinition<Fields, Settings, Driver> {
  return definition;
}

export const FENCE_PROTOCOLS = {
  redfish: fenceProtocol({
    label: 'Redfish',
    addressExample: 'https://bmc-{host}.mgmt.example',
    addressProblem: (address) =>
      /^https?:\/\/[^/]+\/?$/.test(address)
        ? undefined
        : `"${address}" is not a Redfish base URL; write it as https://HOST[:PORT]`,
    entrySchema: z.strictObject({
      auth: z.enum(['session', 'basic'], { error: 'must be session or basic' }).default('session'),
      /** The ComputerSystem Id, when the BMC lists more than one system. */
      systemId: text.optional(),
    }),
    insteadOf: { port: 'put a Redfish port in the address URL' },
    settingsSchema: {
      redfish: z
        .strictObject({
          /** PEM file of the CAs that signed the BMCs' certificates. */
          caBundle: text.optional(),
          insecure: flag.default(false),
        })
        .prefault({})
        .transform(({ caBundle, insecure }): { caBundle?: string; isInsecure: boolean } => ({
          isInsecure: insecure,
          ...(caBundle === undefined ? {} : { caBundle }),
        })),
    },
    environment: [
      {
        variable: 'LAZARUS_REDFISH_CA_BUNDLE',
        path: ['fencing', 'redfish', 'caBundle'],
        kind: 'text',
      },
      {
        variable: 'LAZARUS_REDFISH_INSECURE',
        path: ['fencing', 'redfish', 'insecure'],
        kind: 'boolean',
      },
    ],
    describeEndpoint: (entry) => entry.address,
    createDriver: async (entry, password, { settings, warn }) => {
      const { caBundle, isInsecure } = settings.redfish;
      return new RedfishDriver({
        baseUrl: entry.address,
        username: entry.username,
        password,
        auth: entry.auth,
        isInsecure,
        warn,
        requestTimeoutMs: settings.requestTimeoutMs,
        taskTimeoutMs: settings.powerOffTimeoutMs,
        pollIntervalMs: settings.pollIntervalMs,
        ...(caBundle === undefined ? {} : { caBundle: await readCaBundle(caBundle) }),
        ...(entry.systemId === undefined ? {} : { systemId: entry.systemId }),
      });
    },
  }),
  ipmi: fenceProtocol({
    label: 'IPMI',
    addressExample: 'bmc-{host}.mgmt.example',
    addressProblem: (address) =>
      address.includes('/')
        ? `"${address}" is not a host name or IP address; give the BMC's host, and its port as port:`
        : undefined,
    entrySchema: z.strictObject({
      port: z
        .number({ error: 'must be a port number' })
        .int()
        .min(1)
        .max(65535, { error: 'must be a port number from 1 to 65535' })
        .default(623),
      /**
       * RMCP+ suite 3 (HMAC-SHA1, AES-CBC-128) by default: ipmitool's choice when it can ask, and what
       * ipmi_sim answers (docs/nova-and-bmc-facts.md#cipher-suite-and-timing).
       */
      cipherSuite: z
        .number({ error: 'must be an RMCP+ cipher suite number' })
        .int()
        .min(0)
        .max(17, { error: 'must be an RMCP+ cipher suite from 0 to 17' })
        .default(3),
    }),
    settingsSchema: {
      /** The ipmitool executable. */
      ipmitool: text.default('ipmitool'),
    },
    environment: [{ variable: 'LAZARUS_IPMITOOL', path: ['fencing', 'ipmitool'], kind: 'text' }],
    describeEndpoint: (entry) => ipmiAddress({ host: entry.address, port: entry.port }),
    createDriver: (entry, password, { settings }) =>
      Promise.resolve(
        new IpmiDriver({
          host: entry.address,
          port: entry.port,
          username: entry.username,
          password,
          cipherSuite: entry.cipherSuite,
          commandTimeoutMs: settings.requestTimeoutMs,
          executable: settings.ipmitool,
        }),
      ),
  }),
} as const;

export type FenceProtocol = keyof typeof FENCE_PROTOCOLS;

/** The registry's names in its order, the first being the one examples suggest. */
export const FENCE_PROTOCOL_NAMES = Object.keys(FENCE_PROTOCOLS) as [
  FenceProtocol,
  ...FenceProtocol[],
];

type Definitions = typeof FENCE_PROTOCOLS;
type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (
  intersection: infer I,
) => void
  ? I
  : never;

/** A resolved bmcs entry of one protocol, as drivers, preflight and logs see it. */
export type BmcEntryOf<P extends FenceProtocol> = { protocol: P } & ResolvedEntry<
  Definitions[P]['entrySchema']['shape']
>;

/** The `fencing` fields the registry's protocols add, merged. */
export type ProtocolSettings = UnionToIntersection<
  { [P in FenceProtocol]: z.output<z.ZodObject<Definitions[P]['settingsSchema']>> }[FenceProtocol]
>;

/**
 * The registry seen through one protocol-agnostic type, for code that holds a BmcEntry of any
 * protocol. TypeScript cannot correlate a union entry with the union of definitions by their shared
 * key, so fenceProtocolOf asserts this view; each definition is checked against its own fields where
 * it is written, and an entry only ever reaches the definition its `protocol` names.
 */
interface AnyDefinition {
  readonly label: string;
  readonly addressExample: string;
  readonly addressProblem: (address: string) => string | undefined;
  readonly entrySchema: z.ZodObject<z.ZodRawShape, z.core.$strict>;
  readonly insteadOf?: Readonly<Record<string, string>>;
  describeEndpoint(entry: BmcEntry): string;
  createDriver(
    entry: BmcEntry,
    password: string,
    context: DriverContext<FencingSettings>,
  ): Promise<FenceDriver>;
}

export function fenceProtocolOf(protocol: FenceProtocol): AnyDefinition {
  return FENCE_PROTOCOLS[protocol] as AnyDefinition;
}

export function protocolLabel(protocol: FenceProtocol): string {
  return FENCE_PROTOCOLS[protocol].label;
}

/** "ipmi bmc-07.mgmt.example:623": the protocol's name and where its BMC is, for tables and messages. */
export function describeBmc(bmc: BmcEntry): string {
  return `${bmc.protocol} ${fenceProtocolOf(bmc.protocol).describeEndpoint(bmc)}`;
}

/** "redfish or ipmi", for messages that list the accepted names. */
export function protocolChoices(): string {
  const last = FENCE_PROTOCOL_NAMES.at(-1) ?? '';
  return FENCE_PROTOCOL_NAMES.length === 1
    ? last
    : `${FENCE_PROTOCOL_NAMES.slice(0, -1).join(', ')} or ${last}`;
}

/** Every protocol's entry fields, without their defaults: a host entry may leave any of them to its group. */
export function protocolEntryFields(): {
  [K in keyof ProtocolEntryShape]: z.ZodOptional<WithoutDefault<ProtocolEntryShape[K]>>;
} {
  const fields: Record<string, z.ZodOptional> = {};
  for (const name of FENCE_PROTOCOL_NAMES) {
    for (const [key, schema] of Object.entries(fenceProtocolOf(name).entrySchema.shape)) {
      fields[key] = (
        schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : (schema as z.ZodType)
      ).optional();
    }
  }
  return fields as ReturnType<typeof protocolEntryFields>;
}

/** Every protocol's `fencing` fields, merged into one shape for the section's schema. */
export function protocolSettingsFields(): UnionToIntersection<
  Definitions[FenceProtocol]['settingsSchema']
> {
  return Object.assign(
    {},
    ...FENCE_PROTOCOL_NAMES.map((name) => FENCE_PROTOCOLS[name].settingsSchema),
  ) as ReturnType<typeof protocolSettingsFields>;
}

type ProtocolEntryShape = UnionToIntersection<Definitions[FenceProtocol]['entrySchema']['shape']>;
type WithoutDefault<T> = T extends z.ZodDefault<infer Inner> ? Inner : T;

export async function readCaBundle(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new LazarusError(
      'ConfigurationInvalid',
      `fencing.redfish.caBundle ${path} cannot be read (${error instanceof Error ? error.message : String(error)}); ` +
        "point it at the PEM file of the CA that signed the BMCs' certificates",
      { caBundle: path },
    );
  }
}
