/** Lays rows out in aligned columns under a header, two spaces apart, without trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A moment as the tables show it: ISO 8601 in UTC, to the second. */
export function formatMoment(date: Date | null, whenNull: string): string {
  return date === null ? whenNull : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
