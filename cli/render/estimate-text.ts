// The human rendering of `omni batch estimate`.
import type { BatchEstimate } from '../../src/reporting/batch-estimate.ts';
import { formatUsd } from '../../src/reporting/money.ts';
import { isoSeconds, plural } from './words.ts';

export function renderEstimate(e: BatchEstimate & { stored_on_batch?: string | null }): string {
  const t = e.total_usd;
  const p = e.per_item_usd;
  const lines = [
    `Estimate for ${e.items} ${e.job_type} items (${e.operation}) with ${e.provider}/${e.model}, instance ${e.instance_id}`,
    t.mid === null
      ? 'Total: unknown (no price)'
      : e.basis === 'history'
        ? `Total: ${formatUsd(t.mid)}  (range ${formatUsd(t.low)} – ${formatUsd(t.high)}, p10–p90)`
        : `Total: ${formatUsd(t.mid)}  (list price; no range without history)`,
    p.mid === null
      ? ''
      : `Per item: ${formatUsd(p.mid)}${e.basis === 'history' ? ` (${formatUsd(p.low)} – ${formatUsd(p.high)})` : ''}`,
  ];
  if (e.history && e.basis === 'history') {
    const h = e.history;
    lines.push(
      `From history: ${plural(h.items, 'item')} (${plural(h.batches, 'batch', 'batches')}, ${h.first_at ? isoSeconds(h.first_at) : '?'} … ${h.last_at ? isoSeconds(h.last_at) : '?'}), re-priced at today's prices;` +
        ` median per item: ${h.median_input_tokens ?? '—'} tokens in, ${h.median_output_tokens ?? '—'} out, ${h.median_audio_seconds ?? '—'} s audio; calls per item: ${h.calls_per_item}`,
    );
  }
  if (e.price) {
    const pr = e.price;
    const parts = [
      pr.input_usd_per_mtok && `input $${pr.input_usd_per_mtok}/Mtok`,
      pr.input_audio_usd_per_mtok && `audio in $${pr.input_audio_usd_per_mtok}/Mtok`,
      pr.output_usd_per_mtok && `output $${pr.output_usd_per_mtok}/Mtok`,
      pr.audio_usd_per_hour &&
        `$${pr.audio_usd_per_hour}/audio hour (min ${pr.audio_min_seconds} s per request)`,
      pr.usd_per_image && `$${pr.usd_per_image}/image`,
    ].filter(Boolean);
    lines.push(`Price used: ${pr.model}: ${parts.join(', ')} (source: ${pr.source})`);
  }
  for (const a of e.assumptions) lines.push(`Assumed ${a}`);
  for (const w of e.warnings) lines.push(`Warning: ${w}`);
  if (e.stored_on_batch) lines.push(`Stored as the estimate of batch ${e.stored_on_batch}.`);
  return lines.filter(Boolean).join('\n');
}
