-- Up Migration
-- Two coarser grains of usage_daily (per model, per instance), kept in step by fold_into_rollup(); the daily
-- materialized views are rebuilt from them, and reports read them. The views are refreshed by a plain
-- REFRESH when their lock is free, CONCURRENTLY otherwise. See sql/150, sql/340, sql/410.
-- Two coarser grains of the same totals, maintained in the same transaction as usage_daily: reports that
-- are not split by instance read usage_daily_models (about 1/100 of usage_daily's groups with 100 instances),
-- reports by instance read usage_daily_instances, and the materialized views are built from them.
CREATE TABLE omni_costs.usage_daily_models (
  day date NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  operation text NOT NULL,
  cost_status omni_costs.cost_status NOT NULL,
  calls bigint NOT NULL,
  requests bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cached_input_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  audio_seconds numeric NOT NULL,
  calls_without_usage bigint NOT NULL,
  cost_usd numeric NOT NULL,
  PRIMARY KEY (day, provider, model, operation, cost_status)
);
COMMENT ON TABLE omni_costs.usage_daily_models IS 'usage_daily summed over instances: daily totals (UTC days) per provider, model, operation and cost status, as of the snapshot in rollup_state (same watermark, same transaction).';
COMMENT ON COLUMN omni_costs.usage_daily_models.day IS 'UTC calendar day of occurred_at.';
COMMENT ON COLUMN omni_costs.usage_daily_models.provider IS 'Provider id.';
COMMENT ON COLUMN omni_costs.usage_daily_models.model IS 'Model as recorded.';
COMMENT ON COLUMN omni_costs.usage_daily_models.operation IS 'Operation.';
COMMENT ON COLUMN omni_costs.usage_daily_models.cost_status IS 'Cost status of the calls in this group.';
COMMENT ON COLUMN omni_costs.usage_daily_models.calls IS 'Number of usage rows (provider calls).';
COMMENT ON COLUMN omni_costs.usage_daily_models.requests IS 'Billable requests (0 for error responses).';
COMMENT ON COLUMN omni_costs.usage_daily_models.input_tokens IS 'Sum of known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_models.output_tokens IS 'Sum of known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_models.cached_input_tokens IS 'Sum of known cached input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_models.reasoning_tokens IS 'Sum of known reasoning tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_models.audio_seconds IS 'Sum of known audio seconds, seconds.';
COMMENT ON COLUMN omni_costs.usage_daily_models.calls_without_usage IS 'Calls whose token usage is unknown (input and output tokens NULL).';
COMMENT ON COLUMN omni_costs.usage_daily_models.cost_usd IS 'Sum of processing_cost_usd, USD (unpriced calls add nothing; count them by cost_status).';

CREATE TABLE omni_costs.usage_daily_instances (
  day date NOT NULL,
  instance_id uuid NOT NULL,
  cost_status omni_costs.cost_status NOT NULL,
  calls bigint NOT NULL,
  requests bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cached_input_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  audio_seconds numeric NOT NULL,
  calls_without_usage bigint NOT NULL,
  cost_usd numeric NOT NULL,
  PRIMARY KEY (day, instance_id, cost_status)
);
COMMENT ON TABLE omni_costs.usage_daily_instances IS 'usage_daily summed over providers, models and operations: daily totals (UTC days) per instance and cost status, as of the snapshot in rollup_state (same watermark, same transaction).';
COMMENT ON COLUMN omni_costs.usage_daily_instances.day IS 'UTC calendar day of occurred_at.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.cost_status IS 'Cost status of the calls in this group.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.calls IS 'Number of usage rows (provider calls).';
COMMENT ON COLUMN omni_costs.usage_daily_instances.requests IS 'Billable requests (0 for error responses).';
COMMENT ON COLUMN omni_costs.usage_daily_instances.input_tokens IS 'Sum of known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.output_tokens IS 'Sum of known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.cached_input_tokens IS 'Sum of known cached input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.reasoning_tokens IS 'Sum of known reasoning tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.audio_seconds IS 'Sum of known audio seconds, seconds.';
COMMENT ON COLUMN omni_costs.usage_daily_instances.calls_without_usage IS 'Calls whose token usage is unknown (input and output tokens NULL).';
COMMENT ON COLUMN omni_costs.usage_daily_instances.cost_usd IS 'Sum of processing_cost_usd, USD (unpriced calls add nothing; count them by cost_status).';

-- Fill them from usage_daily as it stands (same watermark).
INSERT INTO omni_costs.usage_daily_models
SELECT d.day, d.provider, d.model, d.operation, d.cost_status, sum(d.calls), sum(d.requests), sum(d.input_tokens),
       sum(d.output_tokens), sum(d.cached_input_tokens), sum(d.reasoning_tokens), sum(d.audio_seconds),
       sum(d.calls_without_usage), sum(d.cost_usd)
  FROM omni_costs.usage_daily d GROUP BY 1, 2, 3, 4, 5;
INSERT INTO omni_costs.usage_daily_instances
SELECT d.day, d.instance_id, d.cost_status, sum(d.calls), sum(d.requests), sum(d.input_tokens),
       sum(d.output_tokens), sum(d.cached_input_tokens), sum(d.reasoning_tokens), sum(d.audio_seconds),
       sum(d.calls_without_usage), sum(d.cost_usd)
  FROM omni_costs.usage_daily d GROUP BY 1, 2, 3;

CREATE OR REPLACE FUNCTION omni_costs.fold_into_rollup(p_since pg_snapshot, p_from timestamptz, p_until timestamptz)
RETURNS TABLE (rows_added bigint, days_recomputed integer)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_dirty date[];
  v_added bigint;
BEGIN
  -- Only the marks visible to this transaction are removed: a transaction committing meanwhile keeps its own.
  WITH d AS (DELETE FROM rollup_dirty_days x
              WHERE x.day >= (p_from AT TIME ZONE 'UTC')::date AND x.day < ceil_day(p_until)
             RETURNING x.day)
  SELECT coalesce(array_agg(DISTINCT d.day), '{}') INTO v_dirty FROM d;

  DELETE FROM usage_daily WHERE day = ANY (v_dirty);
  DELETE FROM usage_daily_models WHERE day = ANY (v_dirty);
  DELETE FROM usage_daily_instances WHERE day = ANY (v_dirty);
  INSERT INTO usage_daily
  SELECT (u.occurred_at AT TIME ZONE 'UTC')::date, u.instance_id, u.provider, u.model, u.operation, u.cost_status,
         count(*), sum(u.requests), coalesce(sum(u.input_tokens), 0), coalesce(sum(u.output_tokens), 0),
         coalesce(sum(u.cached_input_tokens), 0), coalesce(sum(u.reasoning_tokens), 0), coalesce(sum(u.audio_seconds), 0),
         count(*) FILTER (WHERE u.input_tokens IS NULL AND u.output_tokens IS NULL),
         coalesce(sum(u.processing_cost_usd), 0)
    FROM model_usage u
   WHERE u.occurred_at >= (SELECT min(x)::timestamp AT TIME ZONE 'UTC' FROM unnest(v_dirty) x)
     AND u.occurred_at < (SELECT max(x) + 1 FROM unnest(v_dirty) x)::timestamp AT TIME ZONE 'UTC'
     AND (u.occurred_at AT TIME ZONE 'UTC')::date = ANY (v_dirty)
   GROUP BY 1, 2, 3, 4, 5, 6;
  INSERT INTO usage_daily_models
  SELECT d.day, d.provider, d.model, d.operation, d.cost_status, sum(d.calls), sum(d.requests), sum(d.input_tokens),
         sum(d.output_tokens), sum(d.cached_input_tokens), sum(d.reasoning_tokens), sum(d.audio_seconds),
         sum(d.calls_without_usage), sum(d.cost_usd)
    FROM usage_daily d WHERE d.day = ANY (v_dirty)
   GROUP BY 1, 2, 3, 4, 5;
  INSERT INTO usage_daily_instances
  SELECT d.day, d.instance_id, d.cost_status, sum(d.calls), sum(d.requests), sum(d.input_tokens),
         sum(d.output_tokens), sum(d.cached_input_tokens), sum(d.reasoning_tokens), sum(d.audio_seconds),
         sum(d.calls_without_usage), sum(d.cost_usd)
    FROM usage_daily d WHERE d.day = ANY (v_dirty)
   GROUP BY 1, 2, 3;

  WITH fresh AS (
    SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.*
      FROM model_usage u
     WHERE u.recorded_xid >= pg_snapshot_xmin(p_since)::text::bigint
       AND NOT pg_visible_in_snapshot(u.recorded_xid::text::xid8, p_since)
       AND u.occurred_at >= p_from AND u.occurred_at < p_until
  ), delta AS (
    SELECT f.day, f.instance_id, f.provider, f.model, f.operation, f.cost_status,
           count(*) AS calls, sum(f.requests) AS requests, coalesce(sum(f.input_tokens), 0) AS input_tokens,
           coalesce(sum(f.output_tokens), 0) AS output_tokens, coalesce(sum(f.cached_input_tokens), 0) AS cached_input_tokens,
           coalesce(sum(f.reasoning_tokens), 0) AS reasoning_tokens, coalesce(sum(f.audio_seconds), 0) AS audio_seconds,
           count(*) FILTER (WHERE f.input_tokens IS NULL AND f.output_tokens IS NULL) AS calls_without_usage,
           coalesce(sum(f.processing_cost_usd), 0) AS cost_usd
      FROM fresh f
     WHERE NOT (f.day = ANY (v_dirty))
     GROUP BY 1, 2, 3, 4, 5, 6
  ), upserted AS (
    INSERT INTO usage_daily AS t SELECT * FROM delta
    ON CONFLICT (day, instance_id, provider, model, operation, cost_status) DO UPDATE
       SET calls = t.calls + excluded.calls, requests = t.requests + excluded.requests,
           input_tokens = t.input_tokens + excluded.input_tokens, output_tokens = t.output_tokens + excluded.output_tokens,
           cached_input_tokens = t.cached_input_tokens + excluded.cached_input_tokens,
           reasoning_tokens = t.reasoning_tokens + excluded.reasoning_tokens,
           audio_seconds = t.audio_seconds + excluded.audio_seconds,
           calls_without_usage = t.calls_without_usage + excluded.calls_without_usage,
           cost_usd = t.cost_usd + excluded.cost_usd
    RETURNING t.calls
  ), per_model AS (
    INSERT INTO usage_daily_models AS t
    SELECT d.day, d.provider, d.model, d.operation, d.cost_status, sum(d.calls), sum(d.requests), sum(d.input_tokens),
           sum(d.output_tokens), sum(d.cached_input_tokens), sum(d.reasoning_tokens), sum(d.audio_seconds),
           sum(d.calls_without_usage), sum(d.cost_usd)
      FROM delta d GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (day, provider, model, operation, cost_status) DO UPDATE
       SET calls = t.calls + excluded.calls, requests = t.requests + excluded.requests,
           input_tokens = t.input_tokens + excluded.input_tokens, output_tokens = t.output_tokens + excluded.output_tokens,
           cached_input_tokens = t.cached_input_tokens + excluded.cached_input_tokens,
           reasoning_tokens = t.reasoning_tokens + excluded.reasoning_tokens,
           audio_seconds = t.audio_seconds + excluded.audio_seconds,
           calls_without_usage = t.calls_without_usage + excluded.calls_without_usage,
           cost_usd = t.cost_usd + excluded.cost_usd
  ), per_instance AS (
    INSERT INTO usage_daily_instances AS t
    SELECT d.day, d.instance_id, d.cost_status, sum(d.calls), sum(d.requests), sum(d.input_tokens),
           sum(d.output_tokens), sum(d.cached_input_tokens), sum(d.reasoning_tokens), sum(d.audio_seconds),
           sum(d.calls_without_usage), sum(d.cost_usd)
      FROM delta d GROUP BY 1, 2, 3
    ON CONFLICT (day, instance_id, cost_status) DO UPDATE
       SET calls = t.calls + excluded.calls, requests = t.requests + excluded.requests,
           input_tokens = t.input_tokens + excluded.input_tokens, output_tokens = t.output_tokens + excluded.output_tokens,
           cached_input_tokens = t.cached_input_tokens + excluded.cached_input_tokens,
           reasoning_tokens = t.reasoning_tokens + excluded.reasoning_tokens,
           audio_seconds = t.audio_seconds + excluded.audio_seconds,
           calls_without_usage = t.calls_without_usage + excluded.calls_without_usage,
           cost_usd = t.cost_usd + excluded.cost_usd
  )
  SELECT coalesce(sum(calls), 0) INTO v_added FROM delta;
  RETURN QUERY SELECT v_added, coalesce(array_length(v_dirty, 1), 0);
END
$$;
COMMENT ON FUNCTION omni_costs.fold_into_rollup(pg_snapshot, timestamptz, timestamptz) IS 'Adds to usage_daily (and its coarser grains usage_daily_models and usage_daily_instances) the usage rows with occurred_at in [p_from, p_until) whose transactions are not visible in p_since, and re-aggregates the dirty days of that range (removing their visible marks). Returns rows added and days re-aggregated. Callers hold rollup_state in EXCLUSIVE mode.';

DROP MATERIALIZED VIEW omni_costs.daily_instance_costs;
DROP MATERIALIZED VIEW omni_costs.daily_model_costs;
-- Materialized views of daily totals (UTC days), built from the coarse grains of usage_daily (one row per
-- day, instance or model, and cost status: the view only pivots the statuses, so a refresh reads a few
-- thousand rows, not every usage_daily group) and refreshed CONCURRENTLY by the pg-boss refresh job through
-- refresh_rollups(). Each has a unique index, which CONCURRENTLY requires.
CREATE MATERIALIZED VIEW omni_costs.daily_instance_costs AS
SELECT d.day, d.instance_id, sum(d.calls)::bigint AS calls, sum(d.requests)::bigint AS requests, sum(d.cost_usd) AS cost_usd,
       coalesce(sum(d.cost_usd) FILTER (WHERE d.cost_status = 'estimated'), 0) AS estimated_cost_usd,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'estimated'), 0)::bigint AS estimated_calls,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'unpriced'), 0)::bigint AS unpriced_calls,
       sum(d.input_tokens)::bigint AS input_tokens, sum(d.output_tokens)::bigint AS output_tokens, sum(d.audio_seconds) AS audio_seconds
  FROM omni_costs.usage_daily_instances d
 GROUP BY d.day, d.instance_id;
CREATE UNIQUE INDEX daily_instance_costs_key ON omni_costs.daily_instance_costs (day, instance_id);
COMMENT ON MATERIALIZED VIEW omni_costs.daily_instance_costs IS 'Daily totals per instance (UTC days), as of the last refresh (see view_refreshes). cost_usd includes estimated costs; unpriced calls are counted, not costed.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.day IS 'UTC day.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.calls IS 'Provider calls.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.requests IS 'Billable requests.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.cost_usd IS 'Known cost, USD (priced + estimated).';
COMMENT ON COLUMN omni_costs.daily_instance_costs.estimated_cost_usd IS 'Of cost_usd, the estimated part, USD.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.estimated_calls IS 'Calls with an estimated cost.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.unpriced_calls IS 'Calls with an unknown cost (not in cost_usd).';
COMMENT ON COLUMN omni_costs.daily_instance_costs.input_tokens IS 'Known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.output_tokens IS 'Known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.audio_seconds IS 'Known audio, seconds.';

CREATE MATERIALIZED VIEW omni_costs.daily_model_costs AS
SELECT d.day, d.provider, d.model, d.operation, sum(d.calls)::bigint AS calls, sum(d.requests)::bigint AS requests,
       sum(d.cost_usd) AS cost_usd,
       coalesce(sum(d.cost_usd) FILTER (WHERE d.cost_status = 'estimated'), 0) AS estimated_cost_usd,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'estimated'), 0)::bigint AS estimated_calls,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'unpriced'), 0)::bigint AS unpriced_calls,
       sum(d.input_tokens)::bigint AS input_tokens, sum(d.output_tokens)::bigint AS output_tokens, sum(d.audio_seconds) AS audio_seconds
  FROM omni_costs.usage_daily_models d
 GROUP BY d.day, d.provider, d.model, d.operation;
CREATE UNIQUE INDEX daily_model_costs_key ON omni_costs.daily_model_costs (day, provider, model, operation);
COMMENT ON MATERIALIZED VIEW omni_costs.daily_model_costs IS 'Daily totals per provider, model and operation across instances (UTC days), as of the last refresh.';
COMMENT ON COLUMN omni_costs.daily_model_costs.day IS 'UTC day.';
COMMENT ON COLUMN omni_costs.daily_model_costs.provider IS 'Provider.';
COMMENT ON COLUMN omni_costs.daily_model_costs.model IS 'Model as recorded.';
COMMENT ON COLUMN omni_costs.daily_model_costs.operation IS 'Operation.';
COMMENT ON COLUMN omni_costs.daily_model_costs.calls IS 'Provider calls.';
COMMENT ON COLUMN omni_costs.daily_model_costs.requests IS 'Billable requests.';
COMMENT ON COLUMN omni_costs.daily_model_costs.cost_usd IS 'Known cost, USD (priced + estimated).';
COMMENT ON COLUMN omni_costs.daily_model_costs.estimated_cost_usd IS 'Of cost_usd, the estimated part, USD.';
COMMENT ON COLUMN omni_costs.daily_model_costs.estimated_calls IS 'Calls with an estimated cost.';
COMMENT ON COLUMN omni_costs.daily_model_costs.unpriced_calls IS 'Calls with an unknown cost.';
COMMENT ON COLUMN omni_costs.daily_model_costs.input_tokens IS 'Known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_model_costs.output_tokens IS 'Known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_model_costs.audio_seconds IS 'Known audio, seconds.';

CREATE VIEW omni_costs.daily_model_status_costs AS
SELECT d.day, d.provider, d.model, d.operation, d.cost_status, d.calls, d.requests, d.cost_usd, d.input_tokens,
       d.output_tokens, d.cached_input_tokens, d.reasoning_tokens, d.audio_seconds, d.calls_without_usage
  FROM omni_costs.usage_daily_models d;
COMMENT ON VIEW omni_costs.daily_model_status_costs IS 'Daily totals (UTC days) per provider, model, operation and cost status across instances, as of the last refresh (rollup_status); what reports not split by instance read.';

CREATE VIEW omni_costs.daily_instance_status_costs AS
SELECT d.day, d.instance_id, d.cost_status, d.calls, d.requests, d.cost_usd, d.input_tokens, d.output_tokens,
       d.cached_input_tokens, d.reasoning_tokens, d.audio_seconds, d.calls_without_usage
  FROM omni_costs.usage_daily_instances d;
COMMENT ON VIEW omni_costs.daily_instance_status_costs IS 'Daily totals (UTC days) per instance and cost status, as of the last refresh (rollup_status); what reports by instance read.';

-- The three rollup views say what their columns are in the words of the tables they show.
DO $$
DECLARE
  v record;
BEGIN
  FOR v IN
    SELECT a.attname, t.view_name, t.table_name, col_description(format('omni_costs.%I', t.table_name)::regclass, a.attnum) AS doc
      FROM (VALUES ('daily_costs', 'usage_daily'), ('daily_model_status_costs', 'usage_daily_models'),
                   ('daily_instance_status_costs', 'usage_daily_instances')) AS t(view_name, table_name)
      JOIN pg_attribute a ON a.attrelid = format('omni_costs.%I', t.table_name)::regclass AND a.attnum > 0 AND NOT a.attisdropped
  LOOP
    EXECUTE format('COMMENT ON COLUMN omni_costs.%I.%I IS %L', v.view_name, v.attname, v.doc);
  END LOOP;
END
$$;

GRANT SELECT ON omni_costs.daily_model_status_costs, omni_costs.daily_instance_status_costs,
  omni_costs.daily_instance_costs, omni_costs.daily_model_costs
  TO omni_costs_reader, omni_costs_admin;
GRANT SELECT ON omni_costs.usage_daily_models, omni_costs.usage_daily_instances TO omni_costs_admin;

ALTER TABLE omni_costs.view_refreshes
  ADD COLUMN method text NOT NULL DEFAULT 'concurrently',
  ADD CONSTRAINT method_is_known CHECK (method IN ('swap', 'concurrently'));
COMMENT ON COLUMN omni_costs.view_refreshes.method IS 'How the last refresh ran: swap (plain REFRESH, readers held for at most 100 ms) or concurrently (REFRESH ... CONCURRENTLY, because a reader was in the view).';

-- A plain REFRESH swaps in the new contents in a few milliseconds for views this size, but it takes an
-- ACCESS EXCLUSIVE lock until the refresh transaction commits; CONCURRENTLY lets readers go on but diffs
-- every row (about 20 us a row). So: the plain refresh when it can have the lock within 100 ms, otherwise
-- (a reader is in the view) CONCURRENTLY. Readers wait at most that long, and a long analyst query never
-- holds up the refresh nor queues other readers behind it.
CREATE FUNCTION omni_costs._refresh_view_swap(p_view text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
SET lock_timeout = '100ms'
AS $$
BEGIN
  EXECUTE format('REFRESH MATERIALIZED VIEW omni_costs.%I', p_view);
END
$$;
COMMENT ON FUNCTION omni_costs._refresh_view_swap(text) IS 'Plain REFRESH of one daily view, giving up (SQLSTATE 55P03) when its ACCESS EXCLUSIVE lock is not granted within 100 ms. Used by refresh_view().';

CREATE OR REPLACE FUNCTION omni_costs.refresh_view(p_view text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_started timestamptz := clock_timestamp();
  v_rows bigint;
  v_method text := 'swap';
BEGIN
  IF p_view NOT IN ('daily_instance_costs', 'daily_model_costs') THEN
    RAISE EXCEPTION 'unknown view "%"; allowed: daily_instance_costs, daily_model_costs', p_view USING ERRCODE = '22023';
  END IF;
  BEGIN
    PERFORM _refresh_view_swap(p_view);
  EXCEPTION WHEN lock_not_available THEN
    v_method := 'concurrently';
    EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY omni_costs.%I', p_view);
  END;
  EXECUTE format('SELECT count(*) FROM omni_costs.%I', p_view) INTO v_rows;
  INSERT INTO view_refreshes (view_name, refreshed_at, duration_ms, row_count, method)
  VALUES (p_view, clock_timestamp(), round(extract(epoch FROM clock_timestamp() - v_started) * 1000, 3), v_rows, v_method)
  ON CONFLICT (view_name) DO UPDATE
     SET refreshed_at = excluded.refreshed_at, duration_ms = excluded.duration_ms, row_count = excluded.row_count,
         method = excluded.method;
END
$$;
COMMENT ON FUNCTION omni_costs.refresh_view(text) IS 'Refreshes one daily view and records it in view_refreshes: a plain REFRESH when its lock is granted within 100 ms, otherwise (readers in the view) REFRESH ... CONCURRENTLY. Called by refresh_rollups().';

REVOKE ALL ON FUNCTION omni_costs._refresh_view_swap(text) FROM PUBLIC;
