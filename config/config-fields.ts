// The field types lazarus.yaml is built from, shared by config-schema.ts and the fence protocol
// registry (activities/fencing/fence-protocols.ts), so a protocol's fields are refused with the
// same words as every other field of the file.
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
