// A list-price estimate of one item: assumed usage priced by the registry in SQL (price_usage at now(),
// the same function that prices recorded calls), with the price row used, for the output to state.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { COST_STATUSES } from '../usage.ts';
import type { ItemUsage } from './estimate-assumptions.ts';

export const listPriceSchema = z.object({
  per_item_usd: z.string().nullable(),
  cost_status: z.enum(COST_STATUSES),
  cost_note: z.string().nullable(),
  pricing_match: z.string().nullable(),
  price: z
    .object({
      model: z.string(),
      input_usd_per_mtok: z.string().nullable(),
      input_audio_usd_per_mtok: z.string().nullable(),
      output_usd_per_mtok: z.string().nullable(),
      audio_usd_per_hour: z.string().nullable(),
      audio_min_seconds: z.string(),
      usd_per_image: z.string().nullable(),
      source: z.string(),
    })
    .nullable(),
  rule: z.object({ estimate_id: z.number(), note: z.string() }).nullable(),
});
export type ListPrice = z.infer<typeof listPriceSchema>;

/** The fallback rule of the registry (cost_estimates) for this operation and model, if any. */
export async function estimateRule(
  db: CommonQueryMethods,
  operation: string,
  provider: string,
  model: string,
) {
  return db.maybeOne(sql.type(
    z.object({
      estimate_id: z.number(),
      input_tokens: z.number().nullable(),
      output_tokens: z.number().nullable(),
      audio_seconds: z.string().nullable(),
      note: z.string(),
    }),
  )`SELECT e.estimate_id, e.input_tokens, e.output_tokens, e.audio_seconds::text, e.note
      FROM omni_costs.find_estimate(${operation}, ${provider}, ${model}) e
     WHERE e.estimate_id IS NOT NULL`);
}

export async function listPriceOfItem(
  db: CommonQueryMethods,
  input: { operation: string; provider: string; model: string; usage: ItemUsage },
): Promise<ListPrice> {
  const u = input.usage;
  return db.one(sql.type(listPriceSchema)`
    WITH q AS (
      SELECT ROW(${u.input_tokens}::int, ${u.output_tokens}::int, NULL, NULL, NULL, NULL,
                 nullif(${u.input_audio_tokens}::int, 0), NULL, NULL, NULL, NULL, nullif(${u.image_count}::int, 0),
                 ${u.audio_seconds}::numeric, 1)::omni_costs.usage_quantities AS q
    ), c AS (
      SELECT r.* FROM q CROSS JOIN LATERAL omni_costs.price_usage(q.q, ${input.provider}, ${input.model}, NULL,
                                                                  ${input.operation}, now()) r
    )
    SELECT trim_scale(c.processing_cost_usd) AS per_item_usd, c.cost_status, c.cost_note, c.pricing_match,
           (SELECT jsonb_build_object('model', p.model, 'input_usd_per_mtok', p.input_usd_per_mtok::text,
                     'input_audio_usd_per_mtok', p.input_audio_usd_per_mtok::text,
                     'output_usd_per_mtok', p.output_usd_per_mtok::text,
                     'audio_usd_per_hour', p.audio_usd_per_hour::text, 'audio_min_seconds', p.audio_min_seconds::text,
                     'usd_per_image', p.usd_per_image::text, 'source', p.source)
              FROM omni_costs.model_pricing p WHERE p.pricing_id = c.pricing_id) AS price,
           (SELECT jsonb_build_object('estimate_id', e.estimate_id, 'note', e.note)
              FROM omni_costs.find_estimate(${input.operation}, ${input.provider}, ${input.model}) e
             WHERE e.estimate_id IS NOT NULL AND c.cost_status = 'estimated') AS rule
      FROM c`);
}
