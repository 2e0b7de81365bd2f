// Read-only questions about the registry: prices in force, a model's history with its audit trail, what
// lacks a price, and the fallback estimate rules. Money stays a decimal string throughout.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { PRICE_FIELDS, type PriceField } from './price-row.ts';

export const priceRowSchema = z.object({
  pricing_id: z.number(),
  provider: z.string(),
  model: z.string(),
  service_tier: z.string(),
  min_input_tokens: z.number(),
  effective_from: z.date(),
  effective_until: z.date().nullable(),
  in_force: z.boolean(),
  ...(Object.fromEntries(PRICE_FIELDS.map((field) => [field, z.string().nullable()])) as Record<
    PriceField,
    z.ZodNullable<z.ZodString>
  >),
  source: z.string(),
  checked_on: z.string().nullable(),
  note: z.string().nullable(),
  created_at: z.date(),
  created_by: z.string(),
});
export type PriceHistoryRow = z.infer<typeof priceRowSchema>;

const ORDER = sql.fragment`ORDER BY provider, model, service_tier, min_input_tokens, effective_from`;

/** A model filter: exact, or a pattern with * as the wildcard. */
function modelFilter(model: string | undefined) {
  if (!model) return sql.fragment`TRUE`;
  if (!model.includes('*')) return sql.fragment`model = ${model}`;
  const pattern = model.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
  return sql.fragment`model LIKE ${pattern}`;
}

/** Price rows in force at `at` (an ISO instant; default now). */
export async function listPrices(
  db: CommonQueryMethods,
  filter: { provider?: string; model?: string; at?: string } = {},
): Promise<PriceHistoryRow[]> {
  const at = filter.at ?? new Date().toISOString();
  const rows = await db.any(sql.type(priceRowSchema)`
    SELECT * FROM omni_costs.price_history
     WHERE effective_from <= ${at}::timestamptz AND (effective_until IS NULL OR effective_until > ${at}::timestamptz)
       AND (${filter.provider ?? null}::text IS NULL OR provider = ${filter.provider ?? null})
       AND ${modelFilter(filter.model)}
     ${ORDER}`);
  return [...rows];
}

const changeSchema = z.object({
  change_id: z.number(),
  changed_at: z.date(),
  changed_by: z.string(),
  action: z.string(),
  pricing_id: z.number().nullable(),
  provider: z.string(),
  model: z.string(),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type PriceChangeAudit = z.infer<typeof changeSchema>;

export interface ModelHistory {
  model: string;
  prices: PriceHistoryRow[];
  changes: PriceChangeAudit[];
}

/** Every range of a model (all tiers), oldest first, and the audit rows of its changes. */
export async function priceHistory(
  db: CommonQueryMethods,
  model: string,
  provider?: string,
): Promise<ModelHistory> {
  const prices = await db.any(sql.type(priceRowSchema)`
    SELECT * FROM omni_costs.price_history
     WHERE model = ${model} AND (${provider ?? null}::text IS NULL OR provider = ${provider ?? null})
     ${ORDER}`);
  const changes = await db.any(sql.type(changeSchema)`
    SELECT change_id, changed_at, changed_by, action, pricing_id, provider, model, reason, detail
      FROM omni_costs.price_changes
     WHERE model = ${model} AND (${provider ?? null}::text IS NULL OR provider = ${provider ?? null})
     ORDER BY changed_at, change_id`);
  return { model, prices: [...prices], changes: [...changes] };
}

const gapSchema = z.object({
  kind: z.enum(['unpriced_model', 'history_hole']),
  provider: z.string(),
  model: z.string(),
  service_tier: z.string().nullable(),
  min_input_tokens: z.number().nullable(),
  calls: z.number().nullable(),
  first_seen: z.date().nullable(),
  last_seen: z.date().nullable(),
  gap_from: z.date().nullable(),
  gap_until: z.date().nullable(),
});
export type PricingGap = z.infer<typeof gapSchema>;

export async function pricingGaps(db: CommonQueryMethods): Promise<PricingGap[]> {
  const rows = await db.any(sql.type(gapSchema)`
    SELECT * FROM omni_costs.pricing_gaps ORDER BY kind DESC, calls DESC NULLS LAST, provider, model, gap_from`);
  return [...rows];
}

const estimateRuleSchema = z.object({
  estimate_id: z.number(),
  operation: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  input_tokens: z.number().nullable(),
  output_tokens: z.number().nullable(),
  audio_seconds: z.string().nullable(),
  usd_per_call: z.string().nullable(),
  note: z.string(),
  source: z.string(),
});
export type EstimateRuleRow = z.infer<typeof estimateRuleSchema>;

/** The fallback rules, most general first within an operation (the most specific one wins when pricing). */
export async function listEstimates(db: CommonQueryMethods): Promise<EstimateRuleRow[]> {
  const rows = await db.any(sql.type(estimateRuleSchema)`
    SELECT estimate_id, operation, provider, model, input_tokens, output_tokens, audio_seconds, usd_per_call, note, source
      FROM omni_costs.cost_estimates
     ORDER BY operation, provider NULLS FIRST, model NULLS FIRST`);
  return [...rows];
}
