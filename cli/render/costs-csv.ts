// `omni costs --csv`: the breakdown as CSV with exact decimal amounts (no rounding), for spreadsheets.
import type { CostsReport } from '../../src/reporting/costs-report.ts';

const quote = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function renderCostsCsv(r: CostsReport): string {
  const header = [
    r.by,
    'calls',
    'cost_usd',
    'share_pct',
    'estimated_calls',
    'unpriced_calls',
    'input_tokens',
    'output_tokens',
    'audio_seconds',
  ];
  const rows = r.breakdown.map((b) =>
    [
      b.key,
      b.calls,
      b.cost_usd,
      b.share_pct ?? '',
      b.estimated_calls,
      b.unpriced_calls,
      b.input_tokens,
      b.output_tokens,
      b.audio_seconds,
    ]
      .map(quote)
      .join(','),
  );
  return [header.join(','), ...rows].join('\n');
}
