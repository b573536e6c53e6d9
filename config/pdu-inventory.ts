// The PDU inventory (`pdus`): switched rack PDUs and, per host, the outlets that feed it, as
// Pacemaker's pcmk_host_map maps nodes to a fence device's ports. A host's outlets are its second
// fencing level after its BMC (docs/design.md#fencing-levels); a dual-PSU host lists all its outlets,
// on one PDU or on two (A and B feeds), and that level proves Off only when every one reads Off.
import { z } from 'zod';
import type { HostOutlets, PduEntry } from '../activities/fencing/index.ts';
import { PDU_PROTOCOL_NAMES } from '../activities/fencing/index.ts';
import { pduProtocolOf } from '../activities/fencing/pdu-protocols.ts';
import { checkPasswordReference, passwordFields, text } from './config-fields.ts';

const outletIds = z
  .union([text, z.array(text, { error: 'must be an outlet Id or a list of them' })], {
    error: 'must be an outlet Id, e.g. A1, or a list of them, e.g. [A1, B1]',
  })
  .transform((ids) => (typeof ids === 'string' ? [ids] : ids))
  .refine((ids) => ids.length > 0, { error: 'is empty; list the outlets feeding this host' });

const pduEntrySchema = z
  .strictObject({
    /** The PDU's name in messages, proofs and `lazarus show`. */
    name: text.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, {
      error: 'must be a name of letters, digits, ".", "_" and "-", e.g. pdu-r12-a',
    }),
    protocol: z
      .enum(PDU_PROTOCOL_NAMES, { error: `must be ${PDU_PROTOCOL_NAMES.join(' or ')}` })
      .default(PDU_PROTOCOL_NAMES[0]),
    address: text,
    username: text,
    ...passwordFields,
    auth: z.enum(['session', 'basic'], { error: 'must be session or basic' }).default('session'),
    /** The RackPDU's Id, when the PDU lists more than one. */
    rackPduId: text.optional(),
    /** Host name → the outlet Id(s) feeding it, e.g. cmp-07: [A7, B7]. */
    outlets: z
      .record(text, outletIds, { error: 'must map host names to outlet Ids, e.g. cmp-07: A7' })
      .refine((outlets) => Object.keys(outlets).length > 0, {
        error: 'is empty; map at least one host to its outlets, e.g. cmp-07: A7',
      }),
  })
  .superRefine((entry, context) => {
    checkPasswordReference(entry, context);
    if (entry.passwordEnv === undefined && entry.passwordFile === undefined)
      context.addIssue({
        code: 'custom',
        path: ['passwordEnv'],
        message: 'is missing; add passwordEnv: VARIABLE_NAME (or passwordFile: /path/to/file)',
      });
    const addressProblem = pduProtocolOf(entry.protocol).addressProblem(entry.address);
    if (addressProblem !== undefined)
      context.addIssue({ code: 'custom', path: ['address'], message: addressProblem });
    checkOutletsFeedOneHost(entry, context);
  });

export const pdusSchema = z
  .array(pduEntrySchema, { error: 'must be a list of PDU entries (see config/README.md)' })
  .default([])
  .superRefine((entries, context) => {
    const namedAt = new Map<string, number>();
    entries.forEach(({ name }, index) => {
      const earlier = namedAt.get(name);
      if (earlier !== undefined)
        context.addIssue({
          code: 'custom',
          path: [index, 'name'],
          message: `repeats ${name} (pdus[${earlier}] is already called so); give every PDU its own name`,
        });
      namedAt.set(name, index);
    });
  });

export type PduEntryFields = z.output<typeof pduEntrySchema>;

export class PduInventory {
  readonly #byHost: ReadonlyMap<string, readonly HostOutlets[]>;

  private constructor(byHost: ReadonlyMap<string, readonly HostOutlets[]>) {
    this.#byHost = byHost;
  }

  /** The file's entries, already checked by pdusSchema, by host. */
  static from(entries: readonly PduEntryFields[]): PduInventory {
    const byHost = new Map<string, HostOutlets[]>();
    for (const fields of entries) {
      const pdu = pduOf(fields);
      for (const [host, outletIds] of Object.entries(fields.outlets))
        byHost.set(host, [...(byHost.get(host) ?? []), { pdu, outletIds }]);
    }
    return new PduInventory(byHost);
  }

  /** The outlets feeding `host`, by PDU in the file's order; empty when no PDU feeds it. */
  outletsFor(host: string): readonly HostOutlets[] {
    return this.#byHost.get(host) ?? [];
  }

  /** Every host some PDU feeds. */
  namedHosts(): string[] {
    return [...this.#byHost.keys()];
  }
}

/** An outlet feeds one host: given to two, fencing one would cut the other. */
function checkOutletsFeedOneHost(
  entry: { name: string; outlets: Record<string, string[]> },
  context: z.core.$RefinementCtx,
): void {
  const owner = new Map<string, string>();
  for (const [host, ids] of Object.entries(entry.outlets)) {
    for (const id of ids) {
      const other = owner.get(id);
      if (other !== undefined && other !== host)
        context.addIssue({
          code: 'custom',
          path: ['outlets', host],
          message: `gives outlet ${id} of ${entry.name} to ${host}, but ${other} has it already; an outlet feeds one host, correct the map`,
        });
      owner.set(id, host);
    }
  }
}

function pduOf(fields: PduEntryFields): PduEntry {
  // The schema has checked that exactly one reference is present.
  const password =
    fields.passwordEnv === undefined
      ? { file: fields.passwordFile ?? '' }
      : { env: fields.passwordEnv };
  return {
    name: fields.name,
    protocol: fields.protocol,
    address: fields.address,
    username: fields.username,
    password,
    auth: fields.auth,
    ...(fields.rackPduId === undefined ? {} : { rackPduId: fields.rackPduId }),
  };
}
