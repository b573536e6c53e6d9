// Compares a response with an official sample by structure: the same keys (plus named extras)
// and the same JSON types, recursively. Values are not compared; null matches anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

const samplesDir = join(import.meta.dirname, 'api-samples');

export function loadSample(relativePath: string): unknown {
  return JSON.parse(readFileSync(join(samplesDir, relativePath), 'utf8'));
}

export interface ShapeOptions {
  /** Keys the response may have beyond the sample's (e.g. admin-only fields). */
  extraKeys?: readonly string[];
  /** Keys of the sample the response may leave out (e.g. fields that only some records have). */
  optionalKeys?: readonly string[];
  /** Keys whose values are free-form maps (metadata, extra_specs): their own keys are data. */
  dataMaps?: readonly string[];
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  return value === null ? 'null' : typeof value;
}

export function shapeDifferences(
  actual: unknown,
  sample: unknown,
  options: ShapeOptions = {},
  path = '$',
): string[] {
  if (actual === null || sample === null) return [];
  if (kindOf(actual) !== kindOf(sample))
    return [`${path}: ${kindOf(actual)} where the sample has ${kindOf(sample)}`];
  if (Array.isArray(actual) && Array.isArray(sample)) {
    // Item i is compared with the sample's item i when it has one (links differ by position),
    // otherwise with its first.
    return sample.length === 0
      ? []
      : actual.flatMap((item, i) =>
          shapeDifferences(item, sample[i] ?? sample[0], options, `${path}[${i}]`),
        );
  }
  if (typeof actual !== 'object' || typeof sample !== 'object') return [];
  const got = actual as Record<string, unknown>;
  const want = sample as Record<string, unknown>;
  const missing = Object.keys(want)
    .filter((k) => !(k in got) && !(options.optionalKeys ?? []).includes(k))
    .map((k) => `${path}.${k}: missing`);
  const extra = Object.keys(got)
    .filter((k) => !(k in want) && !(options.extraKeys ?? []).includes(k))
    .map((k) => `${path}.${k}: not in the sample`);
  const nested = Object.keys(want)
    .filter((k) => k in got && !(options.dataMaps ?? []).includes(k))
    .flatMap((k) => shapeDifferences(got[k], want[k], options, `${path}.${k}`));
  return [...missing, ...extra, ...nested];
}

export function expectShapeOf(
  actual: unknown,
  samplePath: string,
  options: ShapeOptions = {},
): void {
  expect(shapeDifferences(actual, loadSample(samplePath), options)).toEqual([]);
}
