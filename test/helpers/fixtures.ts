// Small builders for test data: instances, prices and usage rows.
import { randomUUID } from 'node:crypto';
import { type CommonQueryMethods, sql } from 'slonik';

export const instance = () => randomUUID();

export interface PriceInput {
  provider: string;
  model: string;
  from: string;
  until?: string | null;
  service_tier?: string;
  min_input_tokens?: number;
  prices: Record<string, string | number>;
}

/** Inserts a price row directly (as the owner), returning its id. */
export async function addPrice(db: CommonQueryMethods, p: PriceInput): Promise<number> {
  const cols = Object.keys(p.prices);
  const values = cols.map((c) => sql.fragment`${String(p.prices[c])}::numeric`);
  return db.oneFirst(sql.unsafe`
    INSERT INTO omni_costs.model_pricing (provider, model, service_tier, min_input_tokens, effective, source,
      ${sql.join(
        cols.map((c) => sql.identifier([c])),
        sql.fragment`, `,
      )})
    VALUES (${p.provider}, ${p.model}, ${p.service_tier ?? 'standard'}, ${p.min_input_tokens ?? 0},
      tstzrange(${p.from}::timestamptz, ${p.until ?? null}::timestamptz), 'test',
      ${sql.join(values, sql.fragment`, `)})
    RETURNING pricing_id`) as Promise<number>;
}

export async function createBatchRow(db: CommonQueryMethods, instanceId: string): Promise<string> {
  return db.oneFirst(sql.unsafe`
    INSERT INTO omni_costs.batch_jobs (instance_id, job_type, status) VALUES (${instanceId}, 'media', 'running')
    RETURNING id`) as Promise<string>;
}

/** Every batch whose stored total differs from the sum of its rows (must be empty). */
export async function batchMismatches(db: CommonQueryMethods) {
  return db.any(sql.unsafe`
    SELECT b.batch_job_id, b.total_cost_usd, coalesce(r.cost, 0) AS rows_cost, b.calls, coalesce(r.n, 0) AS rows_n
      FROM omni_costs.batch_costs b
      LEFT JOIN (SELECT batch_job_id, sum(processing_cost_usd) AS cost, count(*) AS n
                   FROM omni_costs.model_usage GROUP BY batch_job_id) r ON r.batch_job_id = b.batch_job_id
     WHERE b.total_cost_usd <> coalesce(r.cost, 0) OR b.calls <> coalesce(r.n, 0)`);
}
