// costsReport(): totals, a breakdown and a per-day series of spend, exact and current, in ONE statement.
//
// Why one statement: it reads the rollup (usage_daily as of rollup_state.snapshot), the rows committed
// since that snapshot (the tail) and the raw rows of days the rollup cannot answer, all under the same
// MVCC snapshot. A refresh committing meanwhile, or writers committing out of xid order, can then neither
// double-count a row nor drop one: a row is in usage_daily iff its xid is visible in rollup_state.snapshot,
// and the tail is exactly the rows whose xid is not.
//
// Where each row is counted (the three parts are disjoint):
// - rollup: usage_daily groups (or those of a coarser grain, see rollupSource) of "full" UTC days inside
//           [since, until) that are not in rollup_dirty_days;
// - tail:   rows on those same days whose transaction is not visible in the rollup's snapshot;
// - raw:    rows at the partial edge days of the window, and rows of dirty days (stale in usage_daily).
// With a --tz other than UTC, day boundaries do not match the rollup's UTC days: every row is read raw and
// grouped by (occurred_at AT TIME ZONE tz)::date.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { assertTimeZone, assertUuid, type Bound, UTC_NAMES } from './period.ts';

export const COST_DIMENSIONS = ['day', 'instance', 'provider', 'model', 'operation'] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];

export interface CostsQuery {
  instanceId?: string | null;
  since?: Bound;
  until?: Bound;
  by?: CostDimension;
  tz?: string;
}

const offender = z.object({ provider: z.string(), model: z.string(), calls: z.number() }).nullable();

export const costsReportSchema = z.object({
  window: z.object({ since: z.string().nullable(), until: z.string().nullable() }),
  totals: z.object({
    calls: z.number(),
    requests: z.number(),
    cost_usd: z.string(),
    estimated_cost_usd: z.string(),
    priced_calls: z.number(),
    estimated_calls: z.number(),
    unpriced_calls: z.number(),
    not_billed_calls: z.number(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    audio_seconds: z.string(),
  }),
  breakdown: z.array(
    z.object({
      key: z.string(),
      calls: z.number(),
      cost_usd: z.string(),
      share_pct: z.string().nullable(),
      estimated_calls: z.number(),
      unpriced_calls: z.number(),
      input_tokens: z.number(),
      output_tokens: z.number(),
      audio_seconds: z.string(),
    }),
  ),
  daily: z.array(
    z.object({ day: z.string(), calls: z.number(), cost_usd: z.string(), bar_permille: z.number() }),
  ),
  warnings: z.object({
    unpriced_calls: z.number(),
    estimated_calls: z.number(),
    estimated_cost_usd: z.string(),
    top_unpriced: offender,
    top_estimated: offender,
  }),
  freshness: z.object({
    rollups_refreshed_at: z.string(),
    rows_since_refresh: z.number(),
    dirty_days: z.number(),
    views: z.array(z.object({ view_name: z.string(), refreshed_at: z.string() })),
  }),
  sources: z.object({ rollup_groups: z.number(), raw_rows: z.number() }),
});

export type CostsReport = z.infer<typeof costsReportSchema> & {
  by: CostDimension;
  tz: string;
  instance_id: string | null;
  read_from: 'rollups+tail' | 'raw';
};

const NONE: Bound = { date: null, instant: null };

/**
 * The smallest rollup grain that answers the report: per model (no instance column, about 1/100 of the
 * groups with 100 instances) unless the report is split by or filtered to an instance. Every grain holds
 * the same totals as of the same snapshot (refresh_rollups() keeps them in one transaction).
 */
type RollupSource = 'models' | 'instances' | 'all';

function rollupSource(by: CostDimension, instanceId: string | null): RollupSource {
  if (instanceId) return 'all';
  return by === 'instance' ? 'instances' : 'models';
}

/** The rollup rows of the report's grain, as (day, instance, provider, model, operation, status, measures). */
function fromRollup(source: RollupSource) {
  switch (source) {
    case 'models':
      return sql.fragment`
      SELECT d.day, NULL::uuid AS instance_id, d.provider, d.model, d.operation, d.cost_status, d.calls, d.requests,
             d.input_tokens, d.output_tokens, d.audio_seconds, d.cost_usd
        FROM omni_costs.daily_model_status_costs d, b
       WHERE TRUE`;
    case 'instances':
      return sql.fragment`
      SELECT d.day, d.instance_id, NULL::text AS provider, NULL::text AS model, NULL::text AS operation,
             d.cost_status, d.calls, d.requests, d.input_tokens, d.output_tokens, d.audio_seconds, d.cost_usd
        FROM omni_costs.daily_instance_status_costs d, b
       WHERE TRUE`;
    case 'all':
      return sql.fragment`
      SELECT d.day, d.instance_id, d.provider, d.model, d.operation, d.cost_status, d.calls, d.requests,
             d.input_tokens, d.output_tokens, d.audio_seconds, d.cost_usd
        FROM omni_costs.daily_costs d, b
       WHERE d.instance_id = b.instance_id`;
  }
}

/** With the per-instance grain, the top unpriced and estimated models come from the per-model grain. */
const modelOffendersOfRollup = sql.fragment`
      UNION ALL
      SELECT d.cost_status, d.provider, d.model, d.calls
        FROM omni_costs.daily_model_status_costs d, b
       WHERE d.cost_status IN ('unpriced', 'estimated')
         AND d.day >= b.full_from_day AND d.day < b.full_until_day
         AND d.day NOT IN (SELECT day FROM dirty)`;

const boundsSchema = z.object({
  lo: z.string().nullable(),
  hi: z.string().nullable(),
  lo_x: z.string(),
  hi_x: z.string(),
  full_from: z.string(),
  full_until: z.string(),
  head_until: z.string(),
  tail_from: z.string(),
  xmin_hint: z.string(),
});

export async function costsReport(db: CommonQueryMethods, q: CostsQuery = {}): Promise<CostsReport> {
  const tz = q.tz ?? 'UTC';
  const by = q.by ?? 'day';
  const since = q.since ?? NONE;
  const until = q.until ?? NONE;
  const instanceId = q.instanceId ?? null;
  assertUuid('--instance', instanceId);
  const useRollups = UTC_NAMES.has(tz);
  if (!useRollups) await assertTimeZone(db, tz);

  // The window's bounds and the tail's xid lower bound, computed first so that the report statement gets
  // them as values: the planner can then prune partitions and use the BRIN indexes. The hint only narrows
  // the scan: xmin of the rollup snapshot never decreases, so a refresh in between keeps it a lower bound,
  // and the exact tail condition is evaluated inside the report statement.
  const w = await db.one(sql.type(boundsSchema)`
    WITH p AS (
      SELECT ${useRollups}::boolean AS use_rollups,
             CASE WHEN ${since.date}::date IS NOT NULL THEN ${since.date}::date::timestamp AT TIME ZONE ${tz}::text
                  ELSE ${since.instant}::timestamptz END AS lo,
             CASE WHEN ${until.date}::date IS NOT NULL THEN (${until.date}::date + 1)::timestamp AT TIME ZONE ${tz}::text
                  ELSE ${until.instant}::timestamptz END AS hi
    ), w AS (
      -- [full_from, full_until): the whole UTC days of the window that the rollup can answer.
      SELECT coalesce(p.lo, '-infinity') AS lo_x, coalesce(p.hi, 'infinity') AS hi_x,
             CASE WHEN NOT p.use_rollups THEN 'infinity'::timestamptz
                  WHEN p.lo IS NULL THEN '-infinity'::timestamptz
                  WHEN p.lo = date_trunc('day', p.lo, 'UTC') THEN p.lo
                  ELSE date_trunc('day', p.lo, 'UTC') + interval '1 day' END AS full_from,
             CASE WHEN NOT p.use_rollups OR p.hi IS NULL THEN 'infinity'::timestamptz
                  ELSE date_trunc('day', p.hi, 'UTC') END AS full_until,
             p.lo, p.hi
        FROM p
    )
    SELECT w.lo::text, w.hi::text, w.lo_x::text, w.hi_x::text, w.full_from::text, w.full_until::text,
           least(w.full_from, w.hi_x)::text AS head_until, greatest(w.full_until, w.full_from, w.lo_x)::text AS tail_from,
           (SELECT pg_snapshot_xmin(s.snapshot)::text FROM omni_costs.rollup_status s) AS xmin_hint
      FROM w`);

  const source = rollupSource(by, instanceId);
  const report = await db.oneFirst(sql.type(z.object({ report: costsReportSchema }))`
    WITH b AS (
      SELECT ${tz}::text AS tz, ${instanceId}::uuid AS instance_id, ${w.lo}::timestamptz AS lo,
             ${w.hi}::timestamptz AS hi, ${w.lo_x}::timestamptz AS lo_x, ${w.hi_x}::timestamptz AS hi_x,
             ${w.full_from}::timestamptz AS full_from, ${w.full_until}::timestamptz AS full_until,
             (${w.full_from}::timestamptz AT TIME ZONE 'UTC')::date AS full_from_day,
             (${w.full_until}::timestamptz AT TIME ZONE 'UTC')::date AS full_until_day
    ), st AS (
      SELECT s.snapshot, s.refreshed_at, s.dirty_days FROM omni_costs.rollup_status s
    ), dirty AS (
      SELECT unnest(st.dirty_days) AS day FROM st
    ), from_rollup AS (
      ${fromRollup(source)}
         AND d.day >= b.full_from_day AND d.day < b.full_until_day
         AND d.day NOT IN (SELECT day FROM dirty)
    ), dirty_ranges AS (
      -- Each dirty whole day: stale in usage_daily, so read raw.
      SELECT x.day::timestamp AT TIME ZONE 'UTC' AS r_lo, (x.day + 1)::timestamp AT TIME ZONE 'UTC' AS r_hi
        FROM dirty x, b
       WHERE x.day >= b.full_from_day AND x.day < b.full_until_day
    ), raw_rows AS (
      -- The partial days before and after the whole days (bounds as values: partitions are pruned).
      SELECT u.occurred_at, u.instance_id, u.provider, u.model, u.operation, u.cost_status, u.requests,
             u.input_tokens, u.output_tokens, u.audio_seconds, u.processing_cost_usd
        FROM omni_costs.usage_costs u
       WHERE u.occurred_at >= ${w.lo_x}::timestamptz AND u.occurred_at < ${w.head_until}::timestamptz
         AND (${instanceId}::uuid IS NULL OR u.instance_id = ${instanceId}::uuid)
      UNION ALL
      SELECT u.occurred_at, u.instance_id, u.provider, u.model, u.operation, u.cost_status, u.requests,
             u.input_tokens, u.output_tokens, u.audio_seconds, u.processing_cost_usd
        FROM omni_costs.usage_costs u
       WHERE u.occurred_at >= ${w.tail_from}::timestamptz AND u.occurred_at < ${w.hi_x}::timestamptz
         AND (${instanceId}::uuid IS NULL OR u.instance_id = ${instanceId}::uuid)
      UNION ALL
      -- LATERAL with OFFSET 0: each dirty day drives its own scan of one day (partitions pruned at run time,
      -- the occurred_at BRIN used). As a plain join the planner may scan every partition once and probe
      -- the (usually empty) dirty days for each row.
      SELECT x.* FROM dirty_ranges r CROSS JOIN LATERAL (
        SELECT u.occurred_at, u.instance_id, u.provider, u.model, u.operation, u.cost_status, u.requests,
               u.input_tokens, u.output_tokens, u.audio_seconds, u.processing_cost_usd
          FROM omni_costs.usage_costs u
         WHERE u.occurred_at >= r.r_lo AND u.occurred_at < r.r_hi
           AND (${instanceId}::uuid IS NULL OR u.instance_id = ${instanceId}::uuid)
        OFFSET 0) x
      UNION ALL
      -- The tail: committed since the rollup's snapshot, on whole days the rollup answers.
      SELECT u.occurred_at, u.instance_id, u.provider, u.model, u.operation, u.cost_status, u.requests,
             u.input_tokens, u.output_tokens, u.audio_seconds, u.processing_cost_usd
        FROM omni_costs.usage_costs u, st
       WHERE u.recorded_xid >= ${w.xmin_hint}::bigint
         AND u.recorded_xid >= pg_snapshot_xmin(st.snapshot)::text::bigint
         AND NOT pg_visible_in_snapshot(u.recorded_xid::text::xid8, st.snapshot)
         AND u.occurred_at >= ${w.full_from}::timestamptz AND u.occurred_at < ${w.full_until}::timestamptz
         AND (u.occurred_at AT TIME ZONE 'UTC')::date NOT IN (SELECT day FROM dirty)
         AND (${instanceId}::uuid IS NULL OR u.instance_id = ${instanceId}::uuid)
    ), grain AS (
      SELECT * FROM from_rollup
      UNION ALL
      SELECT (r.occurred_at AT TIME ZONE b.tz)::date, r.instance_id, r.provider, r.model, r.operation, r.cost_status,
             1::bigint, r.requests::bigint, coalesce(r.input_tokens, 0)::bigint, coalesce(r.output_tokens, 0)::bigint,
             coalesce(r.audio_seconds, 0)::numeric, coalesce(r.processing_cost_usd, 0)
        FROM raw_rows r, b
    ), totals AS (
      SELECT coalesce(sum(g.calls), 0) AS calls, coalesce(sum(g.requests), 0) AS requests,
             coalesce(sum(g.cost_usd), 0) AS cost_usd,
             coalesce(sum(g.cost_usd) FILTER (WHERE g.cost_status = 'estimated'), 0) AS estimated_cost_usd,
             coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'priced'), 0) AS priced_calls,
             coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'estimated'), 0) AS estimated_calls,
             coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'unpriced'), 0) AS unpriced_calls,
             coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'not_billed'), 0) AS not_billed_calls,
             coalesce(sum(g.input_tokens), 0) AS input_tokens, coalesce(sum(g.output_tokens), 0) AS output_tokens,
             coalesce(sum(g.audio_seconds), 0) AS audio_seconds, min(g.day) AS first_day, max(g.day) AS last_day
        FROM grain g
    ), breakdown AS (
      SELECT CASE ${by}::text
               WHEN 'day' THEN g.day::text
               WHEN 'instance' THEN g.instance_id::text
               WHEN 'provider' THEN g.provider
               WHEN 'model' THEN g.provider || '/' || g.model
               ELSE g.operation END AS key,
             sum(g.calls) AS calls, sum(g.cost_usd) AS cost_usd,
             coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'estimated'), 0) AS estimated_calls,
             coalesce(sum(g.calls) FILTER (WHERE g.cost_status = 'unpriced'), 0) AS unpriced_calls,
             sum(g.input_tokens) AS input_tokens, sum(g.output_tokens) AS output_tokens,
             sum(g.audio_seconds) AS audio_seconds
        FROM grain g
       GROUP BY 1
    ), daily AS (
      SELECT g.day, sum(g.calls) AS calls, sum(g.cost_usd) AS cost_usd FROM grain g GROUP BY g.day
    ), days AS (
      -- Every day from the first to the last with usage, so quiet days show as zero in the chart.
      SELECT s.day::date AS day, coalesce(d.calls, 0) AS calls, coalesce(d.cost_usd, 0) AS cost_usd
        FROM totals t
       CROSS JOIN generate_series(t.first_day::timestamp, t.last_day::timestamp, interval '1 day') AS s(day)
        LEFT JOIN daily d ON d.day = s.day::date
    ), offender_grain AS (
      SELECT g.cost_status, g.provider, g.model, g.calls FROM grain g WHERE g.provider IS NOT NULL
      ${source === 'instances' ? modelOffendersOfRollup : sql.fragment``}
    ), offenders AS (
      SELECT g.cost_status, g.provider, g.model, sum(g.calls) AS calls,
             row_number() OVER (PARTITION BY g.cost_status ORDER BY sum(g.calls) DESC, g.provider, g.model) AS rank
        FROM offender_grain g
       WHERE g.cost_status IN ('unpriced', 'estimated')
       GROUP BY g.cost_status, g.provider, g.model
    )
    SELECT jsonb_build_object(
      'window', (SELECT jsonb_build_object('since', b.lo, 'until', b.hi) FROM b),
      'totals', (SELECT jsonb_build_object(
          'calls', t.calls, 'requests', t.requests, 'cost_usd', trim_scale(t.cost_usd)::text,
          'estimated_cost_usd', trim_scale(t.estimated_cost_usd)::text, 'priced_calls', t.priced_calls,
          'estimated_calls', t.estimated_calls, 'unpriced_calls', t.unpriced_calls,
          'not_billed_calls', t.not_billed_calls, 'input_tokens', t.input_tokens,
          'output_tokens', t.output_tokens, 'audio_seconds', trim_scale(t.audio_seconds)::text) FROM totals t),
      'breakdown', (SELECT coalesce(jsonb_agg(jsonb_build_object(
          'key', k.key, 'calls', k.calls, 'cost_usd', trim_scale(k.cost_usd)::text,
          'share_pct', (SELECT round(100 * k.cost_usd / nullif(t.cost_usd, 0), 1)::text FROM totals t),
          'estimated_calls', k.estimated_calls, 'unpriced_calls', k.unpriced_calls,
          'input_tokens', k.input_tokens, 'output_tokens', k.output_tokens,
          'audio_seconds', trim_scale(k.audio_seconds)::text)
          ORDER BY CASE WHEN ${by}::text = 'day' THEN k.key END, k.cost_usd DESC, k.calls DESC, k.key), '[]')
          FROM breakdown k),
      'daily', (SELECT coalesce(jsonb_agg(jsonb_build_object(
          'day', d.day::text, 'calls', d.calls, 'cost_usd', trim_scale(d.cost_usd)::text,
          'bar_permille', coalesce(round(1000 * d.cost_usd / nullif(m.top, 0))::int, 0)) ORDER BY d.day), '[]')
          FROM days d CROSS JOIN (SELECT max(cost_usd) AS top FROM days) m),
      'warnings', (SELECT jsonb_build_object(
          'unpriced_calls', t.unpriced_calls, 'estimated_calls', t.estimated_calls,
          'estimated_cost_usd', trim_scale(t.estimated_cost_usd)::text,
          'top_unpriced', (SELECT jsonb_build_object('provider', o.provider, 'model', o.model, 'calls', o.calls)
                             FROM offenders o WHERE o.cost_status = 'unpriced' AND o.rank = 1),
          'top_estimated', (SELECT jsonb_build_object('provider', o.provider, 'model', o.model, 'calls', o.calls)
                              FROM offenders o WHERE o.cost_status = 'estimated' AND o.rank = 1)) FROM totals t),
      'freshness', jsonb_build_object(
          'rollups_refreshed_at', (SELECT st.refreshed_at FROM st),
          'rows_since_refresh', (SELECT count(*) FROM omni_costs.usage_costs u, st
                                  WHERE u.recorded_xid >= ${w.xmin_hint}::bigint
                                    AND u.recorded_xid >= pg_snapshot_xmin(st.snapshot)::text::bigint
                                    AND NOT pg_visible_in_snapshot(u.recorded_xid::text::xid8, st.snapshot)),
          'dirty_days', (SELECT count(*) FROM dirty),
          'views', (SELECT coalesce(jsonb_agg(jsonb_build_object('view_name', v.view_name, 'refreshed_at', v.refreshed_at)
                                              ORDER BY v.view_name), '[]')
                      FROM omni_costs.view_refreshes v)),
      'sources', jsonb_build_object('rollup_groups', (SELECT count(*) FROM from_rollup),
                                    'raw_rows', (SELECT count(*) FROM raw_rows))
    ) AS report`);

  return { by, tz, instance_id: instanceId, read_from: useRollups ? 'rollups+tail' : 'raw', ...report };
}
