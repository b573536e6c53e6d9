// How an input problem names the field it is about, in the form an operator writes it:
// `bmcs[2].address`, `alerts[0].labels.host`.

/** A validation issue's path (keys and list indexes) as one field name. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (joined, key) =>
      typeof key === 'number'
        ? `${joined}[${key}]`
        : joined === ''
          ? String(key)
          : `${joined}.${String(key)}`,
    '',
  );
}
