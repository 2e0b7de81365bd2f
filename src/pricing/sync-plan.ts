// What a sync must do to make model_pricing follow the merged catalogue, computed without touching the
// database. Rows are never edited or deleted: a range can only be closed (its end moved earlier) and new
// rows can only be added where no row exists. Per key (provider, model, service tier, prompt-size tier):
//   1. an existing row that agrees with the catalogue over its whole range is unchanged;
//   2. one that disagrees from instant t (a price change, or the catalogue ends the range) is closed at t;
//      when it disagrees from its very start, the past is kept and it is closed at the sync time;
//   3. the parts of catalogue ranges that no row covers are opened.
// A second run therefore finds every row in agreement and changes nothing.
// Rows that sync did not write (set with omni pricing set, or inserted by hand) are never closed: a
// disagreement with one of them is reported as a conflict for a person to settle.
import { canonicalInstant, displayInstant, sameDecimal } from './instant.ts';
import { PRICE_FIELDS, type PriceField, type PriceRow, priceKey } from './price-row.ts';

/** A row of model_pricing as sync reads it; instants in canonical form (see instant.ts). */
export type ExistingPrice = {
  pricing_id: number;
  provider: string;
  model: string;
  service_tier: string;
  min_input_tokens: number;
  effective_from: string;
  effective_until: string | null;
  /** True when a sync opened this row (price_changes has its sync_open). */
  managed: boolean;
} & Record<PriceField, string | null>;

export interface PlannedClose {
  pricing_id: number;
  provider: string;
  model: string;
  service_tier: string;
  min_input_tokens: number;
  effective_from: string;
  old_until: string | null;
  new_until: string;
  /** The closed row's prices (non-NULL columns only). */
  prices: Partial<Record<PriceField, string>>;
  reason: string;
}

export interface PlannedOpen {
  row: PriceRow;
  /** The part of the catalogue row that no existing row covers. */
  effective_from: string;
  effective_until: string | null;
  /** The row closed where this one starts, if any. */
  replaces: PlannedClose | null;
  reason: string;
}

export interface SyncConflict {
  pricing_id: number;
  provider: string;
  model: string;
  service_tier: string;
  min_input_tokens: number;
  effective_from: string;
  effective_until: string | null;
  message: string;
}

export interface SyncPlan {
  closes: PlannedClose[];
  opens: PlannedOpen[];
  unchanged: number;
  conflicts: SyncConflict[];
}

type Range = { from: string; until: string | null };

/** Prices compared as numbers; audio_min_seconds is NOT NULL DEFAULT 0 in the table, so null means 0. */
export function samePrices(
  a: Record<PriceField, string | null>,
  b: Record<PriceField, string | null>,
): boolean {
  return PRICE_FIELDS.every((field) =>
    field === 'audio_min_seconds'
      ? sameDecimal(a[field] ?? '0', b[field] ?? '0')
      : sameDecimal(a[field], b[field]),
  );
}

const before = (a: string, b: string | null) => b === null || a < b;

/** The first instant of an existing row's range at which the catalogue says something else, or null. */
function firstDisagreement(row: ExistingPrice, desired: readonly (PriceRow & Range)[]): string | null {
  let cursor = row.effective_from;
  for (const d of desired) {
    if (d.until !== null && d.until <= cursor) continue;
    if (d.from > cursor || !samePrices(d, row)) return cursor;
    if (d.until === null) return null;
    cursor = d.until;
    if (!before(cursor, row.effective_until)) return null;
  }
  return cursor;
}

/** The parts of [from, until) that none of the ranges (sorted by start) covers. */
export function uncoveredParts(range: Range, taken: readonly Range[]): Range[] {
  const parts: Range[] = [];
  let cursor = range.from;
  for (const t of taken) {
    if (range.until !== null && t.from >= range.until) break;
    if (t.until !== null && t.until <= cursor) continue;
    if (t.from > cursor) parts.push({ from: cursor, until: t.from });
    if (t.until === null) return parts;
    if (t.until > cursor) cursor = t.until;
    if (!before(cursor, range.until)) return parts;
  }
  parts.push({ from: cursor, until: range.until });
  return parts;
}

const existingKey = (row: ExistingPrice) =>
  `${row.provider}/${row.model} tier=${row.service_tier} min_input_tokens=${row.min_input_tokens}`;

/**
 * The plan for the keys the catalogue lists. Keys the catalogue does not list are left alone.
 * `now` is the sync's transaction time, canonical.
 */
export function planSync(
  catalogue: readonly PriceRow[],
  existing: readonly ExistingPrice[],
  now: string,
): SyncPlan {
  const desiredByKey = new Map<string, (PriceRow & Range)[]>();
  for (const row of catalogue) {
    const withRange = {
      ...row,
      from: canonicalInstant(row.effective_from),
      until: row.effective_until === null ? null : canonicalInstant(row.effective_until),
    };
    const list = desiredByKey.get(priceKey(row)) ?? [];
    list.push(withRange);
    desiredByKey.set(priceKey(row), list);
  }
  const existingByKey = new Map<string, ExistingPrice[]>();
  for (const row of existing) {
    const list = existingByKey.get(existingKey(row)) ?? [];
    list.push({ ...row });
    existingByKey.set(existingKey(row), list);
  }

  const plan: SyncPlan = { closes: [], opens: [], unchanged: 0, conflicts: [] };
  for (const [key, desiredRows] of desiredByKey) {
    desiredRows.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    const rows = (existingByKey.get(key) ?? []).sort((a, b) =>
      a.effective_from < b.effective_from ? -1 : a.effective_from > b.effective_from ? 1 : 0,
    );
    const closedAt = new Map<string, PlannedClose>();
    for (const row of rows) {
      const t = firstDisagreement(row, desiredRows);
      if (t === null) {
        plan.unchanged++;
        continue;
      }
      const where = { ...keyOf(row), pricing_id: row.pricing_id, effective_from: row.effective_from };
      if (!row.managed) {
        plan.conflicts.push({
          ...where,
          effective_until: row.effective_until,
          message: `pricing_id ${row.pricing_id} was not written by sync and disagrees with the catalogue from ${displayInstant(t)}; left as is (update the catalogue, or settle it with omni pricing set)`,
        });
        continue;
      }
      const fromStart = t === row.effective_from;
      const closeAt = fromStart ? now : t;
      if (!(closeAt > row.effective_from && before(closeAt, row.effective_until))) {
        plan.conflicts.push({
          ...where,
          effective_until: row.effective_until,
          message: `the catalogue gives other prices for the whole range of pricing_id ${row.pricing_id}, which lies in the past; rows are never edited, so it is left as is`,
        });
        continue;
      }
      const close: PlannedClose = {
        ...where,
        old_until: row.effective_until,
        new_until: closeAt,
        prices: pricesOf(row),
        reason: fromStart
          ? 'the catalogue changed the prices from the start of this range: the past is kept, the range ends now'
          : desiredRows.some((d) => d.from <= t && before(t, d.until))
            ? 'the catalogue changes the price here'
            : 'the catalogue ends the range here',
      };
      plan.closes.push(close);
      closedAt.set(closeAt, close);
      row.effective_until = closeAt;
    }
    const taken = rows.map((row) => ({ from: row.effective_from, until: row.effective_until }));
    for (const d of desiredRows) {
      for (const part of uncoveredParts(d, taken)) {
        const replaces = closedAt.get(part.from) ?? null;
        plan.opens.push({
          row: d,
          effective_from: part.from,
          effective_until: part.until,
          replaces,
          reason: replaces ? 'new price from the catalogue' : 'new in the catalogue',
        });
      }
    }
  }
  return plan;
}

/** The non-NULL prices of a row. */
export function pricesOf(row: Record<PriceField, string | null>): Partial<Record<PriceField, string>> {
  const prices: Partial<Record<PriceField, string>> = {};
  for (const field of PRICE_FIELDS) {
    const value = row[field];
    if (value !== null) prices[field] = value;
  }
  return prices;
}

function keyOf(row: ExistingPrice) {
  return {
    provider: row.provider,
    model: row.model,
    service_tier: row.service_tier,
    min_input_tokens: row.min_input_tokens,
  };
}
