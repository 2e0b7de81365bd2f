// Stores a pre-run estimate on its batch (through the batch_jobs view, as Omni writes batch rows), so that
// `omni batch status` can show it beside the actual cost.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';

export async function saveEstimate(
  db: CommonQueryMethods,
  batchId: string,
  estimatedCostUsd: string,
): Promise<string> {
  return db.oneFirst(sql.type(z.object({ estimated_cost_usd: z.string() }))`
    UPDATE omni_costs.batch_jobs SET estimated_cost_usd = ${estimatedCostUsd}::numeric
     WHERE id = ${batchId}::uuid
    RETURNING trim_scale(estimated_cost_usd) AS estimated_cost_usd`);
}
