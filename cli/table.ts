// Plain-text tables for humans: right-aligned numbers, left-aligned text, no dependencies.

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

const numeric = (s: string) => /^-?\$?\d[\d,]*(\.\d+)?%?$/.test(s);

export function renderTable(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  const body = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((v, i) => (numeric(v) ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(cols), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}
