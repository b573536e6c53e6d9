// The field types lazarus.yaml is built from, shared by config-schema.ts, the PDU inventory
// (pdu-inventory.ts) and the fence protocol registry (activities/fencing/fence-protocols.ts), so a
// protocol's fields are refused with the same words as every other field of the file.
import { z } from 'zod';

export const text = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, { error: 'is empty; remove it or give it a value' });
export const seconds = z
  .number({ error: 'must be a number of seconds' })
  .positive({ error: 'must be more than 0 seconds' });
export const count = z
  .number({ error: 'must be a whole number' })
  .int({ error: 'must be a whole number' })
  .positive({ error: 'must be at least 1' });
export const flag = z.boolean({ error: 'must be true or false' });

const INLINE_PASSWORD =
  'inline passwords are not accepted, so that the file can be shared and logged; ' +
  'put the password in an environment variable and write passwordEnv: VARIABLE_NAME, ' +
  'or in a file readable only by Lazarus and write passwordFile: /path/to/file';

/** A device's password by reference only (docs/design.md#i7-no-secrets-in-history-or-logs). */
export const passwordFields = {
  passwordEnv: text
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
      error: 'must be an environment variable name, e.g. LAZARUS_BMC_PASSWORD',
    })
    .optional(),
  passwordFile: text.optional(),
  password: z.unknown().optional(),
};

/** Refuses an inline password, and both references at once. */
export function checkPasswordReference(
  entry: {
    password?: unknown;
    passwordEnv?: string | undefined;
    passwordFile?: string | undefined;
  },
  context: z.core.$RefinementCtx,
): void {
  if (entry.password !== undefined)
    context.addIssue({ code: 'custom', path: ['password'], message: INLINE_PASSWORD });
  if (entry.passwordEnv !== undefined && entry.passwordFile !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['passwordFile'],
      message: 'conflicts with passwordEnv; keep one of them',
    });
  }
}
