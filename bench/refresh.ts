// 4. Refresh: after 10k more rows (recordUsage, 100-row calls, the last day), the time to bring the rollups
// up to date with the project's job (refreshRollups: REPEATABLE READ, LOCK rollup_state, refresh_rollups(),
// which adds the delta to usage_daily and its two coarser grains, then refreshes the two daily materialized
// views from the coarse grains: plain REFRESHes when their locks are free, both CONCURRENTLY when a reader
// holds one), against a full re-aggregation: REFRESH of a materialized view that computes usage_daily's
// grain from the raw table.
import type pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { refreshRollups } from '../src/jobs/refresh-rollups.ts';
import type { BenchDatabase } from './lib/db.ts';
import type { Dataset } from './lib/load.ts';
import { fmtInt, fmtMs, fmtRatio, log, median, timed } from './lib/stats.ts';
import { add } from './lib/table.ts';
import type { WorkerPool } from './lib/workers.ts';

const FULL = `
  SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.instance_id, u.provider, u.model, u.operation, u.cost_status,
         count(*) AS calls, sum(u.requests) AS requests, coalesce(sum(u.input_tokens), 0) AS input_tokens,
         coalesce(sum(u.output_tokens), 0) AS output_tokens, coalesce(sum(u.cached_input_tokens), 0) AS cached_input_tokens,
         coalesce(sum(u.reasoning_tokens), 0) AS reasoning_tokens, coalesce(sum(u.audio_seconds), 0) AS audio_seconds,
         count(*) FILTER (WHERE u.input_tokens IS NULL AND u.output_tokens IS NULL) AS calls_without_usage,
         coalesce(sum(u.processing_cost_usd), 0) AS cost_usd
    FROM omni_costs.model_usage u
   GROUP BY 1, 2, 3, 4, 5, 6`;

/** The initial build of the rollups over the loaded rows (all rows are "new" to the first refresh). */
export async function initialRefresh(d: BenchDatabase, label: string): Promise<void> {
  const r = await refreshRollups(d.db);
  log(`refresh: initial build added ${fmtInt(r.rows_added)} rows in ${fmtMs(r.duration_ms)}`);
  add({
    section: `4 refresh ${label}`,
    metric: 'first refreshRollups() over all loaded rows (initial build)',
    value: fmtMs(r.duration_ms),
    baseline: '',
    ratio: '',
    target: 'info',
  });
}

export async function benchRefresh(
  d: BenchDatabase,
  c: pg.Client,
  pool: WorkerPool,
  ds: Dataset,
  o: { label: string; addRows: number },
): Promise<void> {
  log(`refresh: building the full-refresh comparison view`);
  await c.query(`DROP MATERIALIZED VIEW IF EXISTS omni_costs.bench_full_daily`);
  await c.query(`CREATE MATERIALIZED VIEW omni_costs.bench_full_daily AS ${FULL}`);
  const noop = await refreshRollups(d.db);

  await pool.ingest({
    batch: 100,
    total: o.addRows,
    fromMs: ds.toMs - 86_400_000,
    toMs: Date.now(),
    keyPrefix: `refresh-${Date.now()}-`,
    seed: 99,
    sampleEvery: o.addRows,
  });
  const inc = await refreshRollups(d.db);
  const views = await d.db.one(
    sql.type(
      z.object({ ms: z.number(), methods: z.string() }),
    )`SELECT coalesce(sum(duration_ms), 0)::float8 AS ms,
                      coalesce(string_agg(DISTINCT CASE method WHEN 'swap' THEN 'plain REFRESH' ELSE 'REFRESH CONCURRENTLY' END, ' / '), 'none') AS methods
                 FROM omni_costs.view_refreshes`,
  );
  const viewMs = views.ms;
  log(
    `refresh: +${fmtInt(inc.rows_added)} rows in ${fmtMs(inc.duration_ms)} (views ${fmtMs(viewMs)}); no-op ${fmtMs(noop.duration_ms)}`,
  );

  const fullTimes: number[] = [];
  for (let i = 0; i < 2; i++) {
    fullTimes.push((await timed(() => c.query('REFRESH MATERIALIZED VIEW omni_costs.bench_full_daily'))).ms);
  }
  const full = median(fullTimes);
  log(`refresh: full REFRESH of the raw-table view ${fmtMs(full)}`);

  // Exactness: the incrementally maintained rollup equals the full re-aggregation.
  const diff = (
    await c.query(`
    SELECT count(*)::int AS n FROM (
      (SELECT day, instance_id, provider, model, operation, cost_status, calls, cost_usd FROM omni_costs.usage_daily
       EXCEPT ALL
       SELECT day, instance_id, provider, model, operation, cost_status, calls, cost_usd FROM omni_costs.bench_full_daily)
      UNION ALL
      (SELECT day, instance_id, provider, model, operation, cost_status, calls, cost_usd FROM omni_costs.bench_full_daily
       EXCEPT ALL
       SELECT day, instance_id, provider, model, operation, cost_status, calls, cost_usd FROM omni_costs.usage_daily)) x`)
  ).rows[0].n as number;
  const groups = (await c.query('SELECT count(*)::int AS n FROM omni_costs.usage_daily')).rows[0].n as number;
  const coarse = (
    await c.query(`SELECT (SELECT count(*) FROM omni_costs.usage_daily_instances)::int AS instances,
                          (SELECT count(*) FROM omni_costs.usage_daily_models)::int AS models`)
  ).rows[0] as { instances: number; models: number };
  // The coarse grains equal usage_daily summed (they are what the views and most reports read).
  const coarseDiff = (
    await c.query(`
    SELECT count(*)::int AS n FROM (
      ((SELECT day, instance_id, cost_status, sum(calls)::bigint, sum(cost_usd) FROM omni_costs.usage_daily GROUP BY 1, 2, 3)
       EXCEPT ALL SELECT day, instance_id, cost_status, calls, cost_usd FROM omni_costs.usage_daily_instances)
      UNION ALL
      (SELECT day, instance_id, cost_status, calls, cost_usd FROM omni_costs.usage_daily_instances
       EXCEPT ALL SELECT day, instance_id, cost_status, sum(calls)::bigint, sum(cost_usd) FROM omni_costs.usage_daily GROUP BY 1, 2, 3)) x`)
  ).rows[0].n as number;
  const modelDiff = (
    await c.query(`
    SELECT count(*)::int AS n FROM (
      ((SELECT day, provider, model, operation, cost_status, sum(calls)::bigint, sum(cost_usd) FROM omni_costs.usage_daily GROUP BY 1, 2, 3, 4, 5)
       EXCEPT ALL SELECT day, provider, model, operation, cost_status, calls, cost_usd FROM omni_costs.usage_daily_models)
      UNION ALL
      (SELECT day, provider, model, operation, cost_status, calls, cost_usd FROM omni_costs.usage_daily_models
       EXCEPT ALL SELECT day, provider, model, operation, cost_status, sum(calls)::bigint, sum(cost_usd) FROM omni_costs.usage_daily GROUP BY 1, 2, 3, 4, 5)) x`)
  ).rows[0].n as number;

  add({
    section: `4 refresh ${o.label}`,
    metric: `refreshRollups() after +${fmtInt(inc.rows_added)} rows (delta + 2 MV refreshes)`,
    value: fmtMs(inc.duration_ms),
    baseline: `${fmtMs(full)} (full REFRESH of an MV over raw)`,
    ratio: fmtRatio(inc.duration_ms / full),
    // The target is set at 10M rows: below that, the full re-aggregation it is compared with is short and
    // the refresh's fixed cost (~0.1–0.2 s) dominates the ratio.
    target: '≤ 0.02× (at 10M)',
    met: ds.rows >= 10_000_000 ? inc.duration_ms / full <= 0.02 : undefined,
  });
  add({
    section: `4 refresh ${o.label}`,
    metric: `of which the refresh (${views.methods}) of daily_instance_costs + daily_model_costs (from usage_daily_instances, ${fmtInt(coarse.instances)} rows, and usage_daily_models, ${fmtInt(coarse.models)} rows)`,
    value: fmtMs(viewMs),
    baseline: `${fmtMs(full)}`,
    ratio: fmtRatio(viewMs / full),
    target: 'info',
  });
  add({
    section: `4 refresh ${o.label}`,
    metric: `of which the delta into usage_daily (${fmtInt(groups)} groups) and its two coarser grains (the rest)`,
    value: fmtMs(inc.duration_ms - viewMs),
    baseline: `${fmtMs(full)}`,
    ratio: fmtRatio((inc.duration_ms - viewMs) / full),
    target: 'info',
  });
  add({
    section: `4 refresh ${o.label}`,
    metric: 'usage_daily groups differing from the full re-aggregation',
    value: String(diff),
    baseline: '',
    ratio: '',
    target: '0',
    met: diff === 0,
  });
  add({
    section: `4 refresh ${o.label}`,
    metric: 'usage_daily_instances + usage_daily_models rows differing from usage_daily summed',
    value: String(coarseDiff + modelDiff),
    baseline: '',
    ratio: '',
    target: '0',
    met: coarseDiff + modelDiff === 0,
  });
  await c.query(`DROP MATERIALIZED VIEW omni_costs.bench_full_daily`);
}
