/** Rows as aligned columns under a header, for a terminal; cells are cut at `maxCell` characters. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], maxCell = 60): string[] {
  const cut = (cell: string) => (cell.length > maxCell ? `${cell.slice(0, maxCell - 1)}…` : cell).replace(/\s+/g, ' ');
  const all = [headers, ...rows].map((row) => row.map(cut));
  const widths = headers.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

/** An epoch-ms time as ISO 8601, or `-`. */
export function isoTime(epochMs: number | undefined): string {
  return epochMs === undefined ? '-' : new Date(epochMs).toISOString();
}
