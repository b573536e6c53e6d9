// The BMC inventory: which BMC fences which host. Entries name hosts one by one (`host`), as a list
// (`hosts`) or by a pattern (`pattern: "cmp-{n}"`), and addresses may use the pattern's
// placeholders and {host}. A `host` entry overrides, field by field, the list or pattern entry
// (the first that matches) covering the same host, so one pattern can serve a rack and one host
// entry can fix its odd machine. What each protocol requires of an entry, and its defaults, come from
// the protocol registry (activities/fencing/fence-protocols.ts).
import type { BmcEntry } from '../activities/fencing/index.ts';
import { FENCE_PROTOCOL_NAMES, fenceProtocolOf } from '../activities/fencing/fence-protocols.ts';
import type { BmcEntryFields } from './config-schema.ts';

export interface ConfigProblem {
  /** Where in the file, e.g. `bmcs[3].address`. */
  path: string;
  message: string;
}

type Variables = Readonly<Record<string, string>>;

const PLACEHOLDER = /\{(\w+)\}/g;

interface Group {
  index: number;
  fields: BmcEntryFields;
  /** The placeholders' values when the group covers `host`. */
  match: (host: string) => Variables | undefined;
}

export class BmcInventory {
  readonly #groups: readonly Group[];
  readonly #hostEntries: ReadonlyMap<string, { index: number; fields: BmcEntryFields }>;

  private constructor(
    groups: readonly Group[],
    hostEntries: ReadonlyMap<string, { index: number; fields: BmcEntryFields }>,
  ) {
    this.#groups = groups;
    this.#hostEntries = hostEntries;
  }

  /** Builds the inventory, or lists every problem in it (each with its path in the file). */
  static from(entries: readonly BmcEntryFields[]): BmcInventory | ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const groups: Group[] = [];
    const hostEntries = new Map<string, { index: number; fields: BmcEntryFields }>();
    // A host may have one `host` entry and be in one `hosts` list; more of either is ambiguous.
    const namedAt = { host: new Map<string, number>(), hosts: new Map<string, number>() };
    entries.forEach((fields, index) => {
      const kind = fields.host === undefined ? 'hosts' : 'host';
      for (const host of fields.host === undefined ? (fields.hosts ?? []) : [fields.host]) {
        const earlier = namedAt[kind].get(host);
        if (earlier !== undefined)
          problems.push({
            path: `bmcs[${index}]`,
            message: `names host ${host} again (bmcs[${earlier}] already does); merge the two entries`,
          });
        namedAt[kind].set(host, index);
      }
      if (fields.host !== undefined) hostEntries.set(fields.host, { index, fields });
      else
        groups.push({
          index,
          fields,
          match:
            fields.pattern === undefined
              ? listMatcher(fields.hosts ?? [])
              : patternMatcher(fields.pattern),
        });
    });
    const inventory = new BmcInventory(groups, hostEntries);
    for (const group of groups) {
      const sample =
        group.fields.pattern === undefined
          ? {}
          : Object.fromEntries(placeholdersOf(group.fields.pattern).map((name) => [name, name]));
      const standalone = !group.fields.hosts?.every((host) => hostEntries.has(host));
      if (standalone)
        problems.push(
          ...resolve(group.fields, { host: 'host', ...sample }, `bmcs[${group.index}]`).problems,
        );
    }
    entries.forEach((fields, index) => {
      if (fields.host !== undefined)
        problems.push(...inventory.resolution(fields.host, { index, fields }).problems);
    });
    return problems.length > 0 ? problems : inventory;
  }

  /** The hosts the inventory names one by one (`host` and `hosts`), which should all be Nova's. */
  namedHosts(): string[] {
    return [
      ...new Set([
        ...this.#hostEntries.keys(),
        ...this.#groups.flatMap((group) => group.fields.hosts ?? []),
      ]),
    ];
  }

  /** How to reach `host`'s BMC, or undefined when no entry covers it. */
  bmcFor(host: string): BmcEntry | undefined {
    return this.resolution(host).bmc;
  }

  private resolution(
    host: string,
    own = this.#hostEntries.get(host),
  ): { bmc?: BmcEntry; problems: ConfigProblem[] } {
    const group = this.#groups
      .map((candidate) => ({ candidate, variables: candidate.match(host) }))
      .find(({ variables }) => variables !== undefined);
    if (own === undefined && group === undefined) return { problems: [] };
    const inherited = { ...group?.candidate.fields };
    // A host's own password reference replaces the group's, whichever kind each is.
    if (own?.fields.passwordEnv !== undefined || own?.fields.passwordFile !== undefined) {
      delete inherited.passwordEnv;
      delete inherited.passwordFile;
    }
    const fields = { ...inherited, ...withoutUndefined(own?.fields ?? {}) };
    const path = own === undefined ? `bmcs[${group?.candidate.index ?? 0}]` : `bmcs[${own.index}]`;
    return resolve(fields, { ...group?.variables, host }, path);
  }
}

function resolve(
  fields: BmcEntryFields,
  variables: Variables,
  path: string,
): { bmc?: BmcEntry; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const missing = (field: string, example: string) =>
    problems.push({ path: `${path}.${field}`, message: `is missing; add ${field}: ${example}` });
  const fill = (field: string, template: string) =>
    template.replace(PLACEHOLDER, (whole, name: string) => {
      const value = variables[name];
      if (value === undefined)
        problems.push({
          path: `${path}.${field}`,
          message: `uses ${whole}, which its pattern does not define; use {host} or a placeholder of the pattern`,
        });
      return value ?? whole;
    });
  const { protocol, username } = fields;
  const [suggested, ...others] = FENCE_PROTOCOL_NAMES;
  if (protocol === undefined)
    missing('protocol', `${suggested}${others.length === 0 ? '' : ` (or ${others.join(' or ')})`}`);
  if (fields.address === undefined)
    missing('address', fenceProtocolOf(protocol ?? suggested).addressExample);
  if (username === undefined) missing('username', 'lazarus');
  const password =
    fields.passwordEnv === undefined
      ? fields.passwordFile === undefined
        ? undefined
        : { file: fields.passwordFile }
      : { env: fields.passwordEnv };
  if (password === undefined)
    missing('passwordEnv', 'VARIABLE_NAME (or passwordFile: /path/to/file)');
  const address = fields.address === undefined ? undefined : fill('address', fields.address);
  if (
    protocol === undefined ||
    address === undefined ||
    username === undefined ||
    password === undefined
  )
    return { problems };
  const definition = fenceProtocolOf(protocol);
  const addressProblem = definition.addressProblem(address);
  if (addressProblem !== undefined)
    problems.push({ path: `${path}.address`, message: addressProblem });
  problems.push(...misplacedFields(protocol, fields, path));
  const own = Object.fromEntries(
    Object.keys(definition.entrySchema.shape).flatMap((field) => {
      const value: unknown = fields[field as keyof BmcEntryFields];
      return value === undefined
        ? []
        : [[field, typeof value === 'string' ? fill(field, value) : value]];
    }),
  );
  // The file's schema accepted each field alone; parsing again applies the protocol's defaults and
  // finds a field the protocol requires that neither the entry nor its group gives.
  const specific = definition.entrySchema.safeParse(own);
  if (!specific.success) {
    problems.push(
      ...specific.error.issues.map((issue) => ({
        path: [path, ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
    return { problems };
  }
  // The assertion holds because `own` was parsed by the definition that `protocol` names.
  return { problems, bmc: { protocol, address, username, password, ...specific.data } as BmcEntry };
}

/** Fields of other protocols in this entry: one problem per protocol they belong to. */
function misplacedFields(
  protocol: BmcEntry['protocol'],
  fields: BmcEntryFields,
  path: string,
): ConfigProblem[] {
  const definition = fenceProtocolOf(protocol);
  const own = new Set(Object.keys(definition.entrySchema.shape));
  return FENCE_PROTOCOL_NAMES.filter((other) => other !== protocol).flatMap((other) => {
    const theirs = Object.keys(fenceProtocolOf(other).entrySchema.shape).filter(
      (field) => !own.has(field),
    );
    if (!theirs.some((field) => fields[field as keyof BmcEntryFields] !== undefined)) return [];
    const instead =
      theirs.map((field) => definition.insteadOf?.[field]).find((advice) => advice !== undefined) ??
      `remove them from this ${protocol} entry`;
    return [{ path, message: `${theirs.join(' and ')} apply to ${other} only; ${instead}` }];
  });
}

function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

function patternMatcher(pattern: string): (host: string) => Variables | undefined {
  const names = placeholdersOf(pattern);
  const source = pattern
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? '(.+?)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`);
  return (host) => {
    const match = regex.exec(host);
    return match
      ? Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? '']))
      : undefined;
  };
}

function listMatcher(hosts: readonly string[]): (host: string) => Variables | undefined {
  return (host) => (hosts.includes(host) ? {} : undefined);
}

function withoutUndefined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
