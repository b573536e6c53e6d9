// Plain-text tables for terminals: columns padded to their widest cell, two spaces apart.
export function alignColumns(cells: readonly (readonly string[])[]): string[] {
  const widths =
    cells[0]?.map((_, column) => Math.max(...cells.map((line) => line[column]?.length ?? 0))) ?? [];
  return cells.map((line) =>
    line
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
