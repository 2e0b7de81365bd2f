// The human rendering of `omni batch status`: one key/value block with a progress bar.
import type { BatchStatus } from '../../src/reporting/batch-status.ts';
import { formatSignedPct, formatUsd } from '../../src/reporting/money.ts';
import { warningLine } from './costs-text.ts';
import { bar, isoSeconds, plural } from './words.ts';

export function progressLine(b: BatchStatus, width = 30): string {
  const total = b.total_items === null ? 'unknown total' : `of ${b.total_items}`;
  const failed = b.failed_items > 0 ? `, ${b.failed_items} failed` : '';
  if (b.progress_permille === null) return `${b.processed_items} processed (${total})${failed}`;
  const pct = `${Math.floor(b.progress_permille / 10)}.${b.progress_permille % 10}%`;
  return `[${bar(b.progress_permille, width, '█', '░')}] ${b.processed_items} ${total} (${pct})${failed}`;
}

export function renderBatchStatus(b: BatchStatus): string {
  const rows: [string, string][] = [
    ['Batch', `${b.id}  ${b.job_type}`],
    ['Instance', b.instance_id],
    [
      'Status',
      `${b.status}${b.completed_at ? ` (ended ${isoSeconds(b.completed_at)})` : b.started_at ? ` (since ${isoSeconds(b.started_at)})` : ''}`,
    ],
    ['Progress', progressLine(b)],
    ['Cost so far', `${formatUsd(b.total_cost_usd)} over ${plural(b.calls, 'call')}`],
    ['Per item', b.cost_per_item_usd === null ? '— (nothing processed yet)' : formatUsd(b.cost_per_item_usd)],
    [
      'Projected',
      b.projected_total_usd === null
        ? '— (needs processed items and a total)'
        : `${formatUsd(b.projected_total_usd)} at ${b.total_items} items`,
    ],
  ];
  if (b.estimated_cost_usd !== null) {
    rows.push([
      'Estimate',
      `${formatUsd(b.estimated_cost_usd)} pre-run; actual ${formatUsd(b.total_cost_usd)} is ${formatSignedPct(b.actual_vs_estimate_pct)} (${formatUsd(b.actual_minus_estimate_usd)})`,
    ]);
  } else {
    rows.push(['Estimate', `none stored (omni batch estimate … --batch ${b.id.slice(0, 8)})`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  // b.estimated_cost_usd is the pre-run estimate, not the estimated part of the actual cost.
  return [
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`),
    warningLine({ ...b, estimated_cost_usd: null }),
  ].join('\n');
}
