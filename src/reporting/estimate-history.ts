// Our own history for an estimate: the most recent items (a message, or a call without one) of an
// instance for one operation, each re-priced at today's prices in SQL, as low (p10), median and high (p90)
// cost per item. percentile_disc keeps numeric (percentile_cont would go through a float).
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';

export const HISTORY_DAYS = 90;
export const HISTORY_ITEMS = 500;

export const historySchema = z.object({
  items: z.number(),
  unpriced_items: z.number(),
  batches: z.number(),
  first_at: z.date().nullable(),
  last_at: z.date().nullable(),
  low_usd: z.string().nullable(),
  median_usd: z.string().nullable(),
  high_usd: z.string().nullable(),
  median_input_tokens: z.number().nullable(),
  median_output_tokens: z.number().nullable(),
  median_audio_seconds: z.string().nullable(),
  calls_per_item: z.string().nullable(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
});
export type History = z.infer<typeof historySchema>;

export interface HistoryQuery {
  instanceId: string;
  operation: string;
  provider: string | null;
  model: string | null;
}

export async function estimateHistory(db: CommonQueryMethods, q: HistoryQuery): Promise<History> {
  return db.one(sql.type(historySchema)`
    WITH calls AS (
      SELECT coalesce(u.message_id, 'usage:' || u.usage_id) AS item, u.occurred_at, u.batch_job_id, u.provider,
             u.model, u.input_tokens, u.output_tokens, u.audio_seconds, c.processing_cost_usd AS cost_now,
             c.cost_status AS status_now
        FROM omni_costs.model_usage u
       CROSS JOIN LATERAL omni_costs.price_usage(omni_costs.quantities_of(u), u.provider, u.model, u.service_tier,
                                                 u.operation, now()) c
       WHERE u.instance_id = ${q.instanceId}::uuid AND u.operation = ${q.operation}
         AND (${q.provider}::text IS NULL OR u.provider = ${q.provider}::text)
         -- A dated snapshot (gpt-4o-mini-2024-07-18) counts as its model, as resolve_price() matches it.
         AND (${q.model}::text IS NULL OR u.model = ${q.model}::text
              OR regexp_replace(u.model, '(-\\d{4}-\\d{2}-\\d{2}|-\\d{8}|@\\d{8}|-\\d{3}|-latest)$', '') = ${q.model}::text)
         AND u.occurred_at >= now() - make_interval(days => ${HISTORY_DAYS})
    ), items AS (
      SELECT c.item, max(c.occurred_at) AS last_at, min(c.occurred_at) AS first_at, count(*) AS calls,
             sum(c.cost_now) AS cost, bool_or(c.status_now = 'unpriced') AS has_unpriced,
             sum(c.input_tokens) AS input_tokens, sum(c.output_tokens) AS output_tokens,
             sum(c.audio_seconds) AS audio_seconds
        FROM calls c
       GROUP BY c.item
       ORDER BY max(c.occurred_at) DESC
       LIMIT ${HISTORY_ITEMS}
    ), top_model AS (
      SELECT c.provider, c.model FROM calls c JOIN items i ON i.item = c.item
       GROUP BY c.provider, c.model ORDER BY count(*) DESC, c.provider, c.model LIMIT 1
    )
    SELECT count(*) AS items, count(*) FILTER (WHERE i.has_unpriced) AS unpriced_items,
           (SELECT count(DISTINCT c.batch_job_id) FROM calls c JOIN items x ON x.item = c.item) AS batches,
           min(i.first_at) AS first_at, max(i.last_at) AS last_at,
           trim_scale(percentile_disc(0.1) WITHIN GROUP (ORDER BY i.cost) FILTER (WHERE NOT i.has_unpriced)) AS low_usd,
           trim_scale(percentile_disc(0.5) WITHIN GROUP (ORDER BY i.cost) FILTER (WHERE NOT i.has_unpriced)) AS median_usd,
           trim_scale(percentile_disc(0.9) WITHIN GROUP (ORDER BY i.cost) FILTER (WHERE NOT i.has_unpriced)) AS high_usd,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY i.input_tokens) AS median_input_tokens,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY i.output_tokens) AS median_output_tokens,
           trim_scale(percentile_disc(0.5) WITHIN GROUP (ORDER BY i.audio_seconds)) AS median_audio_seconds,
           trim_scale(round(avg(i.calls), 2)) AS calls_per_item,
           (SELECT t.provider FROM top_model t) AS provider, (SELECT t.model FROM top_model t) AS model
      FROM items i`);
}
