// batchStatus(): progress and exact cost of one batch, the cost per processed item and the projected total
// at completion (cost so far / processed * total, in numeric), with the pre-run estimate beside the actual.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';

export const FINAL_BATCH_STATUSES = ['completed', 'failed', 'cancelled'] as const;

const offender = z.object({ provider: z.string(), model: z.string(), calls: z.number() }).nullable();

export const batchStatusSchema = z.object({
  id: z.string(),
  instance_id: z.string(),
  job_type: z.string(),
  status: z.string(),
  total_items: z.number().nullable(),
  processed_items: z.number(),
  failed_items: z.number(),
  progress_permille: z.number().nullable(),
  created_at: z.date(),
  started_at: z.date().nullable(),
  completed_at: z.date().nullable(),
  total_cost_usd: z.string(),
  calls: z.number(),
  estimated_calls: z.number(),
  unpriced_calls: z.number(),
  cost_per_item_usd: z.string().nullable(),
  projected_total_usd: z.string().nullable(),
  estimated_cost_usd: z.string().nullable(),
  actual_minus_estimate_usd: z.string().nullable(),
  actual_vs_estimate_pct: z.string().nullable(),
  top_unpriced: offender,
  top_estimated: offender,
});
export type BatchStatus = z.infer<typeof batchStatusSchema>;

export async function batchStatus(db: CommonQueryMethods, batchId: string): Promise<BatchStatus> {
  return db.one(sql.type(batchStatusSchema)`
    SELECT b.batch_job_id::text AS id, b.instance_id, b.job_type, b.status, b.total_items, b.processed_items,
           b.failed_items,
           CASE WHEN b.total_items > 0 THEN least(1000, 1000 * b.processed_items / b.total_items) END AS progress_permille,
           b.created_at, b.started_at, b.completed_at, trim_scale(b.total_cost_usd) AS total_cost_usd, b.calls,
           b.estimated_calls, b.unpriced_calls,
           CASE WHEN b.processed_items > 0 THEN trim_scale(round(b.total_cost_usd / b.processed_items, 12)) END
             AS cost_per_item_usd,
           CASE WHEN b.processed_items > 0 AND b.total_items IS NOT NULL
                THEN trim_scale(round(b.total_cost_usd * b.total_items / b.processed_items, 12)) END
             AS projected_total_usd,
           trim_scale(b.estimated_cost_usd) AS estimated_cost_usd,
           trim_scale(b.total_cost_usd - b.estimated_cost_usd) AS actual_minus_estimate_usd,
           CASE WHEN b.estimated_cost_usd > 0
                THEN round(100 * (b.total_cost_usd - b.estimated_cost_usd) / b.estimated_cost_usd, 1)::text END
             AS actual_vs_estimate_pct,
           (SELECT jsonb_build_object('provider', u.provider, 'model', u.model, 'calls', count(*))
              FROM omni_costs.usage_costs u
             WHERE u.batch_job_id = b.batch_job_id AND u.cost_status = 'unpriced' AND b.unpriced_calls > 0
             GROUP BY u.provider, u.model ORDER BY count(*) DESC, u.provider, u.model LIMIT 1) AS top_unpriced,
           (SELECT jsonb_build_object('provider', u.provider, 'model', u.model, 'calls', count(*))
              FROM omni_costs.usage_costs u
             WHERE u.batch_job_id = b.batch_job_id AND u.cost_status = 'estimated' AND b.estimated_calls > 0
             GROUP BY u.provider, u.model ORDER BY count(*) DESC, u.provider, u.model LIMIT 1) AS top_estimated
      FROM omni_costs.batch_costs b
     WHERE b.batch_job_id = ${batchId}::uuid`);
}

export function isFinal(status: string): boolean {
  return (FINAL_BATCH_STATUSES as readonly string[]).includes(status);
}
