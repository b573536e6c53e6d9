// The fence protocol registry is the one place a protocol is described: these tests walk every
// entry and check that the configuration, the inventory, the environment overrides and preflight
// took it from there, so a protocol added to the registry alone is accepted end to end, and one
// listed by hand anywhere fails here.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { LazarusError } from '../../../activities/errors.ts';
import { protocolLabel } from '../../../activities/fencing/fence-driver.ts';
import type { FenceProtocol } from '../../../activities/fencing/index.ts';
import {
  describeBmc,
  FENCE_PROTOCOL_NAMES,
  FENCE_PROTOCOLS,
} from '../../../activities/fencing/index.ts';
import { reportAsTable } from '../../../apps/preflight/preflight-report.ts';
import { bmcEntrySchema } from '../../../config/config-schema.ts';
import { ENVIRONMENT_OVERRIDES } from '../../../config/environment-overrides.ts';
import { loadConfig } from '../../../config/load-config.ts';

describe('the fence protocol registry', () => {
  let directory: string;
  let counter = 0;
  const load = async (yaml: string, env: Record<string, string> = {}) => {
    counter += 1;
    const path = join(directory, `lazarus-${counter}.yaml`);
    await writeFile(path, yaml);
    return loadConfig({ path, env });
  };
  const entryFor = (protocol: FenceProtocol, host: string, extra: readonly string[] = []) => [
    `  - host: ${host}`,
    `    protocol: ${protocol}`,
    `    address: "${FENCE_PROTOCOLS[protocol].addressExample}"`,
    '    username: lazarus',
    '    passwordEnv: BMC_PASSWORD',
    ...extra.map((line) => `    ${line}`),
  ];

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lazarus-protocol-registry-test-'));
  });

  it('is what the bmcs schema accepts as a protocol, and every protocol field is a field of the schema', () => {
    expect(bmcEntrySchema.shape.protocol.unwrap().options).toEqual(FENCE_PROTOCOL_NAMES);
    for (const name of FENCE_PROTOCOL_NAMES) {
      for (const field of Object.keys(FENCE_PROTOCOLS[name].entrySchema.shape))
        expect(bmcEntrySchema.shape).toHaveProperty(field);
    }
  });

  it('names every protocol when refusing an unknown one', async () => {
    const refusal = await load(
      ['bmcs:', ...entryFor(FENCE_PROTOCOL_NAMES[0], 'cmp-1')]
        .join('\n')
        .replace(/protocol: \w+/, 'protocol: snmp'),
    ).then(
      () => '',
      (error: unknown) => (error as LazarusError).message,
    );
    for (const name of FENCE_PROTOCOL_NAMES)
      expect(refusal).toMatch(new RegExp(`bmcs\\[0\\]\\.protocol: must be .*\\b${name}\\b`));
  });

  it('resolves an entry of every protocol with its own defaults, and preflight labels it with the protocol name', async () => {
    const hosts = FENCE_PROTOCOL_NAMES.map((name, index) => ({ name, host: `cmp-${index + 1}` }));
    const config = await load(
      ['bmcs:', ...hosts.flatMap(({ name, host }) => entryFor(name, host))].join('\n'),
    );
    const rows = hosts.map(({ name, host }) => {
      const bmc = config.bmcs.bmcFor(host);
      const address = FENCE_PROTOCOLS[name].addressExample.replace('{host}', host);
      expect(bmc).toEqual({
        protocol: name,
        address,
        username: 'lazarus',
        password: { env: 'BMC_PASSWORD' },
        ...FENCE_PROTOCOLS[name].entrySchema.parse({}),
      });
      if (bmc === undefined) throw new Error(`no BMC for ${host}`);
      expect(describeBmc(bmc)).toMatch(
        new RegExp(`^${name} \\S*${address.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`),
      );
      return {
        host,
        novaCompute: 'enabled, up',
        isComputeUp: true,
        bmc,
        power: 'On' as const,
        problems: [],
      };
    });
    const table = reportAsTable({
      config: 'lazarus.yaml',
      openstack: null,
      novaMicroversion: null,
      temporal: null,
      problems: [],
      hosts: rows,
    });
    for (const row of rows) expect(table).toContain(describeBmc(row.bmc));
  });

  it('gives every protocol its fencing settings with their defaults, its environment overrides and its label', async () => {
    const config = await load('bmcs: []\n');
    for (const name of FENCE_PROTOCOL_NAMES) {
      const { settingsSchema, environment, label } = FENCE_PROTOCOLS[name];
      expect(config.fencing).toMatchObject(z.object(settingsSchema).parse({}));
      for (const override of environment) expect(ENVIRONMENT_OVERRIDES).toContainEqual(override);
      expect(protocolLabel(name)).toBe(label);
    }
  });

  it("refuses another protocol's fields in an entry, naming the protocol they belong to", async () => {
    for (const name of FENCE_PROTOCOL_NAMES) {
      const own = Object.keys(FENCE_PROTOCOLS[name].entrySchema.shape);
      for (const other of FENCE_PROTOCOL_NAMES.filter((candidate) => candidate !== name)) {
        const theirs = Object.entries(FENCE_PROTOCOLS[other].entrySchema.shape).filter(
          ([field]) => !own.includes(field),
        );
        const [field, schema] = theirs[0] ?? [];
        if (field === undefined || schema === undefined) continue;
        // Any value the field's own schema accepts, so only the misplacement is wrong.
        const value: unknown = (schema as z.ZodType).safeParse(undefined).data ?? 'x';
        const refusal = await load(
          ['bmcs:', ...entryFor(name, 'cmp-1', [`${field}: ${JSON.stringify(value)}`])].join('\n'),
        ).then(
          () => '',
          (error: unknown) => (error as LazarusError).message,
        );
        expect(refusal).toContain(`apply to ${other} only`);
      }
    }
  });
});
