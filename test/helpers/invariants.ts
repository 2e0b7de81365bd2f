// The ledger's invariants, checked in SQL (numeric compared as numeric, never as a JS number):
// batch totals == SUM(rows), rollups == raw rows, one row per idempotency key.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { batchMismatches } from './fixtures.ts';

const mismatchRow = z
  .object({ day: z.string(), raw_calls: z.number().nullable(), raw_cost_usd: z.string().nullable() })
  .catchall(z.unknown());
export type MismatchRow = z.infer<typeof mismatchRow>;

/**
 * Per-group differences between usage_daily and the raw rows, and between its two coarser grains
 * (usage_daily_models, usage_daily_instances) and usage_daily (empty when the rollups are exact).
 */
export async function dailyMismatches(db: CommonQueryMethods): Promise<readonly MismatchRow[]> {
  return [...(await fineMismatches(db)), ...(await coarseMismatches(db))];
}

async function coarseMismatches(db: CommonQueryMethods): Promise<readonly MismatchRow[]> {
  return db.any(sql.type(mismatchRow)`
    WITH m AS (
      SELECT day, provider || '/' || model || '/' || operation AS k, cost_status, sum(calls) AS calls,
             sum(requests) AS requests, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
             sum(audio_seconds) AS audio_seconds, sum(cost_usd) AS cost_usd
        FROM omni_costs.usage_daily GROUP BY 1, 2, 3
    ), i AS (
      SELECT day, instance_id::text AS k, cost_status, sum(calls) AS calls, sum(requests) AS requests,
             sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
             sum(audio_seconds) AS audio_seconds, sum(cost_usd) AS cost_usd
        FROM omni_costs.usage_daily GROUP BY 1, 2, 3
    ), pairs AS (
      SELECT 'usage_daily_models' AS grain, coalesce(f.day, c.day) AS day, coalesce(f.k, c.k) AS k,
             f.calls AS fine_calls, c.calls AS coarse_calls, f.requests AS fr, c.requests AS cr,
             f.input_tokens AS fi, c.input_tokens AS ci, f.output_tokens AS fo, c.output_tokens AS co,
             f.audio_seconds AS fa, c.audio_seconds AS ca, f.cost_usd AS fine_cost_usd, c.cost_usd AS coarse_cost_usd
        FROM m f
        FULL JOIN (SELECT day, provider || '/' || model || '/' || operation AS k, cost_status, calls, requests,
                          input_tokens, output_tokens, audio_seconds, cost_usd
                     FROM omni_costs.usage_daily_models) c
          ON (c.day, c.k, c.cost_status) = (f.day, f.k, f.cost_status)
      UNION ALL
      SELECT 'usage_daily_instances', coalesce(f.day, c.day), coalesce(f.k, c.k), f.calls, c.calls, f.requests,
             c.requests, f.input_tokens, c.input_tokens, f.output_tokens, c.output_tokens, f.audio_seconds,
             c.audio_seconds, f.cost_usd, c.cost_usd
        FROM i f
        FULL JOIN (SELECT day, instance_id::text AS k, cost_status, calls, requests, input_tokens, output_tokens,
                          audio_seconds, cost_usd
                     FROM omni_costs.usage_daily_instances) c
          ON (c.day, c.k, c.cost_status) = (f.day, f.k, f.cost_status)
    )
    SELECT p.grain, p.day::text AS day, p.k, p.fine_calls::int AS raw_calls, p.coarse_calls,
           p.fine_cost_usd::text AS raw_cost_usd, p.coarse_cost_usd::text AS coarse_cost_usd
      FROM pairs p
     WHERE coalesce(p.fine_calls, 0) <> coalesce(p.coarse_calls, 0) OR coalesce(p.fr, 0) <> coalesce(p.cr, 0)
        OR coalesce(p.fi, 0) <> coalesce(p.ci, 0) OR coalesce(p.fo, 0) <> coalesce(p.co, 0)
        OR coalesce(p.fa, 0) <> coalesce(p.ca, 0) OR coalesce(p.fine_cost_usd, 0) <> coalesce(p.coarse_cost_usd, 0)`);
}

async function fineMismatches(db: CommonQueryMethods): Promise<readonly MismatchRow[]> {
  return db.any(sql.type(mismatchRow)`
    WITH raw AS (
      SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.instance_id, u.provider, u.model, u.operation,
             u.cost_status, count(*) AS calls, sum(u.requests) AS requests,
             coalesce(sum(u.input_tokens), 0) AS input_tokens, coalesce(sum(u.output_tokens), 0) AS output_tokens,
             coalesce(sum(u.audio_seconds), 0) AS audio_seconds, coalesce(sum(u.processing_cost_usd), 0) AS cost_usd
        FROM omni_costs.model_usage u
       GROUP BY 1, 2, 3, 4, 5, 6)
    SELECT coalesce(r.day, d.day)::text AS day, coalesce(r.instance_id, d.instance_id) AS instance_id,
           coalesce(r.model, d.model) AS model, coalesce(r.cost_status, d.cost_status)::text AS cost_status,
           r.calls AS raw_calls, d.calls AS daily_calls, r.cost_usd AS raw_cost_usd, d.cost_usd AS daily_cost_usd
      FROM raw r
      FULL JOIN omni_costs.usage_daily d
        ON (d.day, d.instance_id, d.provider, d.model, d.operation, d.cost_status)
         = (r.day, r.instance_id, r.provider, r.model, r.operation, r.cost_status)
     WHERE coalesce(r.calls, 0) <> coalesce(d.calls, 0)
        OR coalesce(r.requests, 0) <> coalesce(d.requests, 0)
        OR coalesce(r.input_tokens, 0) <> coalesce(d.input_tokens, 0)
        OR coalesce(r.output_tokens, 0) <> coalesce(d.output_tokens, 0)
        OR coalesce(r.audio_seconds, 0) <> coalesce(d.audio_seconds, 0)
        OR coalesce(r.cost_usd, 0) <> coalesce(d.cost_usd, 0)`);
}

/** Differences between the two materialized views and the raw rows (empty when they are exact). */
export async function viewMismatches(db: CommonQueryMethods): Promise<MismatchRow[]> {
  const perInstance = await db.any(sql.type(mismatchRow)`
    WITH raw AS (
      SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.instance_id, count(*) AS calls,
             coalesce(sum(u.processing_cost_usd), 0) AS cost_usd,
             count(*) FILTER (WHERE u.cost_status = 'unpriced') AS unpriced_calls,
             count(*) FILTER (WHERE u.cost_status = 'estimated') AS estimated_calls
        FROM omni_costs.model_usage u GROUP BY 1, 2)
    SELECT 'daily_instance_costs' AS view, coalesce(r.day, v.day)::text AS day, r.calls AS raw_calls,
           v.calls AS view_calls, r.cost_usd AS raw_cost_usd, v.cost_usd AS view_cost_usd
      FROM raw r FULL JOIN omni_costs.daily_instance_costs v ON (v.day, v.instance_id) = (r.day, r.instance_id)
     WHERE coalesce(r.calls, 0) <> coalesce(v.calls, 0) OR coalesce(r.cost_usd, 0) <> coalesce(v.cost_usd, 0)
        OR coalesce(r.unpriced_calls, 0) <> coalesce(v.unpriced_calls, 0)
        OR coalesce(r.estimated_calls, 0) <> coalesce(v.estimated_calls, 0)`);
  const perModel = await db.any(sql.type(mismatchRow)`
    WITH raw AS (
      SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.provider, u.model, u.operation, count(*) AS calls,
             coalesce(sum(u.processing_cost_usd), 0) AS cost_usd
        FROM omni_costs.model_usage u GROUP BY 1, 2, 3, 4)
    SELECT 'daily_model_costs' AS view, coalesce(r.day, v.day)::text AS day, r.calls AS raw_calls,
           v.calls AS view_calls, r.cost_usd AS raw_cost_usd, v.cost_usd AS view_cost_usd
      FROM raw r FULL JOIN omni_costs.daily_model_costs v
        ON (v.day, v.provider, v.model, v.operation) = (r.day, r.provider, r.model, r.operation)
     WHERE coalesce(r.calls, 0) <> coalesce(v.calls, 0) OR coalesce(r.cost_usd, 0) <> coalesce(v.cost_usd, 0)`);
  return [...perInstance, ...perModel];
}

/** Keys stored twice, rows without their key, keys pointing at another row (empty when none). */
export async function keyAnomalies(db: CommonQueryMethods) {
  return db.any(sql.unsafe`
    SELECT 'duplicate row for key' AS problem, idempotency_key FROM omni_costs.model_usage
     GROUP BY idempotency_key HAVING count(*) > 1
    UNION ALL
    SELECT 'duplicate usage_id', min(idempotency_key) FROM omni_costs.model_usage
     GROUP BY usage_id HAVING count(*) > 1
    UNION ALL
    SELECT 'row without its key', u.idempotency_key FROM omni_costs.model_usage u
      LEFT JOIN omni_costs.usage_keys k ON k.idempotency_key = u.idempotency_key
     WHERE k.usage_id IS DISTINCT FROM u.usage_id OR k.occurred_at IS DISTINCT FROM u.occurred_at`);
}

export interface InvariantReport {
  batchMismatches: number;
  dailyMismatches: number;
  viewMismatches: number;
  keyAnomalies: number;
  details: unknown[];
}

/** All invariants at once (call after a final refresh so that the rollups are expected to be exact). */
export async function checkInvariants(db: CommonQueryMethods): Promise<InvariantReport> {
  const [b, d, v, k] = await Promise.all([
    batchMismatches(db),
    dailyMismatches(db),
    viewMismatches(db),
    keyAnomalies(db),
  ]);
  return {
    batchMismatches: b.length,
    dailyMismatches: d.length,
    viewMismatches: v.length,
    keyAnomalies: k.length,
    details: [...b, ...d, ...v, ...k].slice(0, 10),
  };
}

export const ledgerTotalsSchema = z.object({
  usage_rows: z.number(),
  usage_keys: z.number(),
  raw_cost_usd: z.string(),
  batch_rows: z.number(),
  batch_cost_usd: z.string(),
  daily_calls: z.number(),
  daily_cost_usd: z.string(),
});
export type LedgerTotals = z.infer<typeof ledgerTotalsSchema>;

/** Whole-ledger counts and sums, as exact decimal strings, to compare before and after an operation. */
export async function ledgerTotals(db: CommonQueryMethods): Promise<LedgerTotals> {
  return db.one(sql.type(ledgerTotalsSchema)`
    SELECT (SELECT count(*) FROM omni_costs.model_usage) AS usage_rows,
           (SELECT count(*) FROM omni_costs.usage_keys) AS usage_keys,
           (SELECT coalesce(sum(processing_cost_usd), 0)::text FROM omni_costs.model_usage) AS raw_cost_usd,
           (SELECT coalesce(sum(usage_rows), 0)::bigint FROM omni_costs._batch_cost_shards) AS batch_rows,
           (SELECT coalesce(sum(cost_usd), 0)::text FROM omni_costs._batch_cost_shards) AS batch_cost_usd,
           (SELECT coalesce(sum(calls), 0)::bigint FROM omni_costs.usage_daily) AS daily_calls,
           (SELECT coalesce(sum(cost_usd), 0)::text FROM omni_costs.usage_daily) AS daily_cost_usd`);
}

/** Deadlocks PostgreSQL detected in the current database so far (pg_stat_database). */
export async function deadlocksSoFar(db: CommonQueryMethods): Promise<number> {
  return db.oneFirst(sql.type(z.object({ deadlocks: z.number() }))`
    SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()`);
}
