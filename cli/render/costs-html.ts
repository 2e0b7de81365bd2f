// `omni costs --html <file>`: one self-contained file (inline CSS and SVG, no scripts, no network) with
// the daily chart, the breakdown, the totals and the warning and freshness lines.
import type { CostsReport } from '../../src/reporting/costs-report.ts';
import { formatUsd } from '../../src/reporting/money.ts';
import {
  breakdownRows,
  describeWindow,
  emptyStateLine,
  freshnessLine,
  totalLine,
  warningLine,
} from './costs-text.ts';

const escapeHtml = (s: unknown) =>
  String(s ?? '—').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function chartSvg(r: CostsReport): string {
  const height = 200;
  const barWidth = 24;
  const gap = 8;
  const top = 20;
  const width = Math.max(320, r.daily.length * (barWidth + gap) + gap);
  const bars = r.daily
    .map((d, i) => {
      const h = Math.round((d.bar_permille * height) / 1000);
      const x = gap + i * (barWidth + gap);
      const label = `${d.day}: ${formatUsd(d.cost_usd)} (${d.calls} calls)`;
      return (
        `<g><title>${escapeHtml(label)}</title>` +
        `<rect x="${x}" y="${top + height - h}" width="${barWidth}" height="${h}" fill="#3b6fd8"/>` +
        `<text x="${x + barWidth / 2}" y="${top + height + 14}" font-size="9" text-anchor="end" ` +
        `transform="rotate(-45 ${x + barWidth / 2} ${top + height + 14})">${escapeHtml(d.day.slice(5))}</text></g>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 50}" role="img" ` +
    `aria-label="Cost per day"><line x1="0" y1="${top + height}" x2="${width}" y2="${top + height}" stroke="#999"/>${bars}</svg>`
  );
}

function table(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '<p>No rows.</p>';
  const cols = Object.keys(rows[0]);
  const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${cols.map((c) => `<td>${escapeHtml(r[c])}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderCostsHtml(r: CostsReport, now = new Date()): string {
  const warn = warningLine(r.warnings);
  const content =
    r.totals.calls === 0
      ? `<p>${escapeHtml(emptyStateLine(r))}</p>`
      : [
          `<h2>Cost per day</h2>${chartSvg(r)}`,
          `<h2>By ${escapeHtml(r.by)}</h2>${table(breakdownRows(r))}`,
          `<p class="total">${escapeHtml(totalLine(r))}</p>`,
        ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>omni costs</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:right;font-variant-numeric:tabular-nums}
th:first-child,td:first-child{text-align:left}
.warn{background:#fff4d6;border-left:4px solid #e0a800;padding:.5rem}
.ok{background:#e8f6e8;border-left:4px solid #3a3;padding:.5rem}
.muted{color:#666;font-size:.9em}
</style></head><body>
<h1>omni costs</h1>
<p class="muted">${escapeHtml(describeWindow(r))} · generated ${escapeHtml(now.toISOString())}</p>
<p class="${r.warnings.unpriced_calls + r.warnings.estimated_calls > 0 ? 'warn' : 'ok'}">${escapeHtml(warn)}</p>
${content}
<p class="muted">${escapeHtml(freshnessLine(r, now))}</p>
</body></html>
`;
}
