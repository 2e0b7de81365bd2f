// The one shape every price source is turned into: a row of omni_costs.model_pricing, with the effective
// range split into two ISO timestamps and every price as a decimal string (see decimal.ts).
import type { Provider } from '../usage.ts';

/** Price columns of model_pricing, in table order. Units and NULL fallbacks are in the table's COMMENTs. */
export const PRICE_FIELDS = [
  'input_usd_per_mtok',
  'cached_input_usd_per_mtok',
  'cache_write_5m_usd_per_mtok',
  'cache_write_1h_usd_per_mtok',
  'output_usd_per_mtok',
  'reasoning_usd_per_mtok',
  'input_audio_usd_per_mtok',
  'cached_input_audio_usd_per_mtok',
  'output_audio_usd_per_mtok',
  'input_image_usd_per_mtok',
  'audio_usd_per_hour',
  'audio_min_seconds',
  'audio_increment_seconds',
  'usd_per_image',
  'usd_per_request',
  'web_search_usd_per_kcall',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

/**
 * Mirrors the table's a_price_row_prices_something check: a row must price at least one of these,
 * otherwise the database would reject it.
 */
export const PRIMARY_PRICE_FIELDS = [
  'input_usd_per_mtok',
  'output_usd_per_mtok',
  'input_audio_usd_per_mtok',
  'audio_usd_per_hour',
  'usd_per_image',
  'usd_per_request',
] as const satisfies readonly PriceField[];

/** Rate cards a row can belong to. Calls on a tier without rows of its own fall back to standard. */
export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

export type PriceRow = {
  provider: Provider;
  model: string;
  service_tier: ServiceTier;
  /** Prompt-size tier, inclusive; 0 = base tier. */
  min_input_tokens: number;
  /** Inclusive start, ISO 8601 UTC (e.g. 2024-10-02T00:00:00.000Z). */
  effective_from: string;
  /** Exclusive end, same format; null = still in force. */
  effective_until: string | null;
  source: string;
  /** YYYY-MM-DD. */
  checked_on: string | null;
  note: string | null;
} & Record<PriceField, string | null>;

/** Rows with the same key must never overlap in time (the table's exclusion constraint). */
export function priceKey(row: PriceRow): string {
  return `${row.provider}/${row.model} tier=${row.service_tier} min_input_tokens=${row.min_input_tokens}`;
}

export function describeRange(row: PriceRow): string {
  return `[${row.effective_from}, ${row.effective_until ?? '∞'})`;
}

export function pricesSomething(row: PriceRow): boolean {
  return PRIMARY_PRICE_FIELDS.some((field) => row[field] !== null);
}

/** Deterministic order: provider, model, tier, prompt-size tier, start. ISO UTC strings sort chronologically. */
export function compareRows(a: PriceRow, b: PriceRow): number {
  return (
    cmp(a.provider, b.provider) ||
    cmp(a.model, b.model) ||
    cmp(a.service_tier, b.service_tier) ||
    a.min_input_tokens - b.min_input_tokens ||
    cmp(a.effective_from, b.effective_from)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Overlap {
  /** Indexes into the list that was checked; first < second. */
  first: number;
  second: number;
  message: string;
}

/** Every pair of rows of one key whose half-open ranges intersect. */
export function findOverlaps(rows: readonly PriceRow[], label: (index: number) => string): Overlap[] {
  const byKey = new Map<string, number[]>();
  rows.forEach((row, index) => {
    const key = priceKey(row);
    byKey.set(key, [...(byKey.get(key) ?? []), index]);
  });
  const overlaps: Overlap[] = [];
  for (const [key, indexes] of byKey) {
    for (let i = 0; i < indexes.length; i++) {
      for (let j = i + 1; j < indexes.length; j++) {
        const a = rows[indexes[i]];
        const b = rows[indexes[j]];
        const aEndsAfterBStarts = a.effective_until === null || a.effective_until > b.effective_from;
        const bEndsAfterAStarts = b.effective_until === null || b.effective_until > a.effective_from;
        if (aEndsAfterBStarts && bEndsAfterAStarts) {
          overlaps.push({
            first: indexes[i],
            second: indexes[j],
            message: `${label(indexes[i])} ${describeRange(a)} and ${label(indexes[j])} ${describeRange(b)} overlap for ${key}`,
          });
        }
      }
    }
  }
  return overlaps;
}
