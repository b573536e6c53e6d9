// The bodies of Temporal's remote codec protocol, `{"payloads": [...]}`, with each payload in proto3
// JSON form: `{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}`, every bytes field as
// base64 text (docs/design.md#the-codec-server). Validated at the edge, with the field at fault named.
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { fieldPath } from '../../lib/field-path.ts';

// proto3 JSON readers take standard and URL-safe base64, with or without padding; Buffer reads both.
const base64 = z
  .string({ error: 'must be base64 text' })
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, { error: 'must be base64 text' });

// Not strict: fields a later Temporal adds to Payload are dropped, not refused.
const jsonPayloadSchema = z.object(
  {
    metadata: z
      .record(z.string(), base64, { error: 'must be an object whose values are base64 text' })
      .nullish(),
    data: base64.nullish(),
  },
  { error: 'must be a payload: {"metadata": {...}, "data": "<base64>"}' },
);

const codecBodySchema = z.object(
  { payloads: z.array(jsonPayloadSchema, { error: 'must be a list of payloads' }) },
  { error: 'must be an object {"payloads": [...]}' },
);

export interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

/** The payloads of a request body, or what is wrong with it, one line per field. */
export function payloadsFromJson(body: unknown): { payloads: Payload[] } | { problems: string[] } {
  const parsed = codecBodySchema.safeParse(body);
  if (!parsed.success)
    return {
      problems: parsed.error.issues.map(
        (issue) => `${fieldPath(issue.path) || 'the body'}: ${issue.message}`,
      ),
    };
  return {
    payloads: parsed.data.payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(
        Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
      ),
      data: Buffer.from(data ?? '', 'base64'),
    })),
  };
}

export function payloadsToJson(payloads: readonly Payload[]): { payloads: JsonPayload[] } {
  const base64Of = (bytes: Uint8Array | null | undefined): string =>
    Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  return {
    payloads: payloads.map(({ metadata, data }) => ({
      metadata: Object.fromEntries(
        Object.entries(metadata ?? {}).map(([key, value]) => [key, base64Of(value)]),
      ),
      data: base64Of(data),
    })),
  };
}
