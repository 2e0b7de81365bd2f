// The human rendering of `omni costs`: the breakdown table, the total, the warning line about unpriced
// and estimated calls (never hidden), and how fresh the numbers are.
import type { CostsReport } from '../../src/reporting/costs-report.ts';
import { formatUsd } from '../../src/reporting/money.ts';
import { renderTable } from '../table.ts';
import { ago, isoSeconds, plural } from './words.ts';

export function describeWindow(r: CostsReport): string {
  const since = r.window.since ? `from ${isoSeconds(r.window.since)}` : '';
  const until = r.window.until ? `until ${isoSeconds(r.window.until)}` : '';
  const window = [since, until].filter(Boolean).join(' ') || 'all time';
  const zone = r.tz === 'UTC' ? 'UTC days' : `days in ${r.tz}`;
  return `${window} · ${zone} · ${r.instance_id ? `instance ${r.instance_id}` : 'all instances'}`;
}

export function breakdownRows(r: CostsReport): Record<string, unknown>[] {
  return r.breakdown.map((b) => ({
    [r.by]: b.key,
    calls: b.calls,
    // A group whose calls are all unpriced has an unknown cost, not $0; a partly unpriced one is a lower bound.
    cost_usd:
      b.unpriced_calls === b.calls
        ? 'unknown'
        : `${formatUsd(b.cost_usd)}${b.unpriced_calls > 0 ? ' + ?' : ''}`,
    share: b.share_pct === null ? '—' : `${b.share_pct}%`,
    estimated: b.estimated_calls,
    unpriced: b.unpriced_calls,
    input_tokens: b.input_tokens,
    output_tokens: b.output_tokens,
    audio_seconds: b.audio_seconds,
  }));
}

export function totalLine(r: CostsReport): string {
  const t = r.totals;
  return (
    `Total: ${formatUsd(t.cost_usd)} over ${plural(t.calls, 'call')} ` +
    `(${t.priced_calls} priced, ${t.estimated_calls} estimated, ${t.unpriced_calls} unpriced, ${t.not_billed_calls} not billed)`
  );
}

/** The line about costs that are not exact. It is always printed, so a clean report says so too. */
export function warningLine(w: {
  unpriced_calls: number;
  estimated_calls: number;
  estimated_cost_usd?: string | null;
  top_unpriced: { provider: string; model: string; calls: number } | null;
  top_estimated: { provider: string; model: string; calls: number } | null;
}): string {
  if (w.unpriced_calls === 0 && w.estimated_calls === 0)
    return 'All costs are exact: no unpriced or estimated calls.';
  const parts: string[] = [];
  if (w.unpriced_calls > 0) {
    const top = w.top_unpriced
      ? `; most: ${w.top_unpriced.provider}/${w.top_unpriced.model}, ${plural(w.top_unpriced.calls, 'call')}`
      : '';
    parts.push(`${plural(w.unpriced_calls, 'unpriced call')} (cost unknown, NOT in the total${top})`);
  }
  if (w.estimated_calls > 0) {
    const top = w.top_estimated
      ? `; most: ${w.top_estimated.provider}/${w.top_estimated.model}, ${plural(w.top_estimated.calls, 'call')}`
      : '';
    const amount = w.estimated_cost_usd
      ? `${formatUsd(w.estimated_cost_usd)} of the total is estimated`
      : 'estimated';
    parts.push(`${plural(w.estimated_calls, 'estimated call')} (${amount}${top})`);
  }
  return `Warning: ${parts.join(' and ')}. Add the missing prices with omni pricing sync or omni pricing set.`;
}

export function freshnessLine(r: CostsReport, now = new Date()): string {
  const f = r.freshness;
  const views = f.views.length
    ? f.views.map((v) => `${v.view_name} ${isoSeconds(v.refreshed_at)}`).join(', ')
    : 'views never refreshed (run omni worker, or omni views refresh)';
  const source =
    r.read_from === 'raw'
      ? `read from raw rows (--tz ${r.tz})`
      : `rollups refreshed ${isoSeconds(f.rollups_refreshed_at)} (${ago(f.rollups_refreshed_at, now)}), plus ${plural(f.rows_since_refresh, 'call')} recorded since`;
  const dirty =
    f.dirty_days > 0
      ? `; ${plural(f.dirty_days, 'day')} re-read from raw rows (changed since the refresh)`
      : '';
  return `Current to this moment: ${source}${dirty}. Views: ${views}.`;
}

export function emptyStateLine(r: CostsReport): string {
  const filtered = r.window.since || r.window.until || r.instance_id;
  return filtered
    ? `No usage recorded for ${describeWindow(r)}. Widen --since/--until or drop --instance; record calls with: omni usage record --provider … --model … --instance <uuid>`
    : 'No usage recorded yet. Record with: omni usage record --provider … --model … --instance <uuid> (or see it all work with: omni demo)';
}

export function renderCostsText(r: CostsReport, now = new Date()): string {
  if (r.totals.calls === 0) return [emptyStateLine(r), freshnessLine(r, now)].join('\n');
  return [
    `Costs by ${r.by} · ${describeWindow(r)}`,
    renderTable(breakdownRows(r)),
    '',
    totalLine(r),
    warningLine(r.warnings),
    freshnessLine(r, now),
  ].join('\n');
}
