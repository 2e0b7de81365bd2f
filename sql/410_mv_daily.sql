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
COMMENT ON FUNCTION omni_costs._refresh_view_swap(text) IS 'Plain REFRESH of one daily view, giving up (SQLSTATE 55P03) when its ACCESS EXCLUSIVE lock is not granted within 100 ms. Used by refresh_views().';

CREATE FUNCTION omni_costs.refresh_views(
  p_views text[] DEFAULT ARRAY['daily_instance_costs', 'daily_model_costs'])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_bad text;
  v_method text := 'swap';
  v_ms numeric[] := ARRAY[]::numeric[];
  v_started timestamptz;
  v_rows bigint;
  i integer;
BEGIN
  SELECT v INTO v_bad FROM unnest(p_views) v WHERE v IS NULL OR v <> ALL (ARRAY['daily_instance_costs', 'daily_model_costs']) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'unknown view "%"; allowed: daily_instance_costs, daily_model_costs', v_bad USING ERRCODE = '22023';
  END IF;
  -- All plain REFRESHes in one subtransaction. If any view's lock is not granted within 100 ms (a reader is
  -- in it), the subtransaction is rolled back, and that also releases the ACCESS EXCLUSIVE locks already
  -- taken on the others: a refresh never holds one view locked against its readers while it waits for
  -- another. All are then refreshed CONCURRENTLY, which readers do not wait for.
  BEGIN
    FOR i IN 1 .. cardinality(p_views) LOOP
      v_started := clock_timestamp();
      PERFORM _refresh_view_swap(p_views[i]);
      v_ms[i] := round(extract(epoch FROM clock_timestamp() - v_started) * 1000, 3);
    END LOOP;
  EXCEPTION WHEN lock_not_available THEN
    v_method := 'concurrently';
    FOR i IN 1 .. cardinality(p_views) LOOP
      v_started := clock_timestamp();
      EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY omni_costs.%I', p_views[i]);
      v_ms[i] := round(extract(epoch FROM clock_timestamp() - v_started) * 1000, 3);
    END LOOP;
  END;
  FOR i IN 1 .. cardinality(p_views) LOOP
    EXECUTE format('SELECT count(*) FROM omni_costs.%I', p_views[i]) INTO v_rows;
    INSERT INTO view_refreshes (view_name, refreshed_at, duration_ms, row_count, method)
    VALUES (p_views[i], clock_timestamp(), v_ms[i], v_rows, v_method)
    ON CONFLICT (view_name) DO UPDATE
       SET refreshed_at = excluded.refreshed_at, duration_ms = excluded.duration_ms, row_count = excluded.row_count,
           method = excluded.method;
  END LOOP;
END
$$;
COMMENT ON FUNCTION omni_costs.refresh_views(text[]) IS 'Refreshes daily views (by default both) and records them in view_refreshes: plain REFRESHes (milliseconds) when every lock is granted within 100 ms, otherwise all REFRESH ... CONCURRENTLY, so that no view stays locked against its readers while the refresh waits for another. Called by refresh_rollups().';

CREATE FUNCTION omni_costs.refresh_view(p_view text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
  SELECT refresh_views(ARRAY[p_view])
$$;
COMMENT ON FUNCTION omni_costs.refresh_view(text) IS 'Refreshes one daily view: refresh_views() of that view alone.';

CREATE VIEW omni_costs.daily_costs AS
SELECT d.day, d.instance_id, d.provider, d.model, d.operation, d.cost_status, d.calls, d.requests, d.cost_usd,
       d.input_tokens, d.output_tokens, d.cached_input_tokens, d.reasoning_tokens, d.audio_seconds, d.calls_without_usage
  FROM omni_costs.usage_daily d;
COMMENT ON VIEW omni_costs.daily_costs IS 'The finest daily grain (UTC day, instance, provider, model, operation, cost status), as of the last refresh; for per-instance-and-model questions the two materialized views do not answer.';

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
