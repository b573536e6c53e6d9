// Request validation with Nova's wording (nova/api/validation/validators.py), so clients see the
// same 400 messages as from a real Nova.
import { z } from 'zod';
import { badRequest, NovaError } from './errors.ts';
import { parseTimestamp } from '../timestamps.ts';

const trueWords = ['True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes'];
const falseWords = ['False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no'];

/**
 * nova/api/validation/parameter_types.py boolean: one JSON-schema enum of the two booleans and
 * these words, so jsonschema's error lists them all ("… is not one of [True, 'True', …]").
 */
export const novaBoolean = z
  .custom<boolean | string>(
    (value) =>
      typeof value === 'boolean' ||
      (typeof value === 'string' && (trueWords.includes(value) || falseWords.includes(value))),
    {
      error: (issue) =>
        `${pythonRepr(issue.input)} is not one of [${[true, ...trueWords, false, ...falseWords].map(pythonRepr).join(', ')}]`,
    },
  )
  .transform((value) => value === true || (typeof value === 'string' && trueWords.includes(value)));

/** A Python-style rendering of a value, as jsonschema error messages show it. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${pythonRepr(v)}`)
      .join(', ')}}`;
  }
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function describeIssue(
  issue: z.core.$ZodIssue,
  value: unknown,
): { attribute: string | null; detail: string } {
  const key = issue.path.at(-1);
  const attribute = typeof key === 'string' ? key : null;
  if (issue.code === 'unrecognized_keys') {
    return {
      attribute: null,
      detail: `Additional properties are not allowed (${issue.keys.map((k) => `'${k}'`).join(', ')} ${issue.keys.length === 1 ? 'was' : 'were'} unexpected)`,
    };
  }
  if (valueAt(value, issue.path) === undefined && attribute !== null) {
    return { attribute: null, detail: `'${attribute}' is a required property` };
  }
  if (issue.code === 'custom') return { attribute, detail: issue.message };
  return {
    attribute,
    detail: `${pythonRepr(valueAt(value, issue.path))} is not valid under any of the given schemas`,
  };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Parses `value` (the object under `attribute`, e.g. the body of {"evacuate": {...}}) or throws
 * Nova's 400 "Invalid input for field/attribute X. Value: Y. Z".
 */
export function parseBody<T extends z.ZodType>(
  schema: T,
  attribute: string,
  value: unknown,
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw badRequest(`Invalid input for field/attribute ${attribute}.`);
  const described = describeIssue(issue, value);
  const shown = described.attribute === null ? value : valueAt(value, issue.path);
  // Nova formats the value with str(): a string bare, anything else as its repr.
  throw badRequest(
    `Invalid input for field/attribute ${described.attribute ?? attribute}. Value: ${typeof shown === 'string' ? shown : pythonRepr(shown)}. ${described.detail}`,
  );
}

/** From the microversion where Nova's query schemas forbid extra parameters (e.g. 2.75, 2.59). */
export function rejectUnknownQuery(query: URLSearchParams, known: readonly string[]): void {
  for (const name of query.keys()) {
    if (!known.includes(name)) {
      // An unexpected parameter has no path in jsonschema's error, so Nova adds no "Invalid input for query parameters" prefix.
      throw new NovaError(400, `Additional properties are not allowed ('${name}' was unexpected)`);
    }
  }
}

export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
}

/**
 * Nova's `limit`/`marker` query parameters, capped by [api] max_limit
 * (docs/nova-and-bmc-facts.md#listing-and-paging).
 */
export function pageLimit(query: URLSearchParams): number {
  const text = query.get('limit');
  if (text === null) return maxLimit;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 0)
    throw badRequest(
      `Invalid input for query parameters limit. Value: ${text}. '${text}' does not match '^[0-9]*$'`,
    );
  return Math.min(limit, maxLimit);
}

const maxLimit = 1000;

/** A date-time query parameter such as changes-since, or null when absent. */
function timestampQuery(query: URLSearchParams, name: string): number | null {
  const text = query.get(name);
  if (text === null) return null;
  const ms = parseTimestamp(text);
  if (ms === null)
    throw badRequest(
      `Invalid input for query parameters ${name}. Value: ${text}. '${text}' is not a 'date-time'`,
    );
  return ms;
}

/** changes-since and (2.66+) changes-before, checked against each other as Nova does. */
export function changesWindow(
  query: URLSearchParams,
  hasChangesBefore: boolean,
): { since: number | null; before: number | null } {
  const since = timestampQuery(query, 'changes-since');
  const before = hasChangesBefore ? timestampQuery(query, 'changes-before') : null;
  if (since !== null && before !== null && since > before) {
    throw badRequest('The value of changes-since must be less than or equal to changes-before.');
  }
  return { since, before };
}

export function isWithin(
  window: { since: number | null; before: number | null },
  updatedAt: number,
): boolean {
  return (
    (window.since === null || updatedAt >= window.since) &&
    (window.before === null || updatedAt <= window.before)
  );
}

/** An action body such as {"evacuate": {...}} or {"add_host": {...}}: its one key and value. */
export function actionOf(body: unknown): [name: string, args: unknown] {
  if (
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body) ||
    Object.keys(body).length !== 1
  ) {
    throw badRequest('Malformed request body');
  }
  const entries: [string, unknown][] = Object.entries(body);
  return entries[0] ?? ['', undefined];
}
