// The results table: one line per measurement, printed as markdown.
export interface ResultRow {
  section: string;
  metric: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  /** true = met, false = missed, undefined = informational. */
  met?: boolean;
}

export const results: ResultRow[] = [];
export const notes: string[] = [];

export function add(row: ResultRow): void {
  results.push(row);
}

export function note(line: string): void {
  notes.push(line);
}

export function markdownTable(rows: readonly ResultRow[] = results): string {
  const head = '| # | measurement | value | baseline | ratio | target | met |\n|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.section} | ${r.metric} | ${r.value} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
  );
  return [head, ...lines].join('\n');
}
