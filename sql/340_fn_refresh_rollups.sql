-- Rollup maintenance. usage_daily (and its two coarser grains, kept in step in the same statements) counts a
-- usage row iff its transaction is visible in rollup_state.snapshot; rows committed since then, in any commit order, are exactly those not visible in
-- that snapshot. fold_into_rollup() adds such rows (an O(new rows) delta) and re-aggregates the days marked
-- dirty by updates and deletes; refresh_rollups() runs it over all time and moves the snapshot forward;
-- detach_usage_month() runs it over one month before the month leaves model_usage.
CREATE FUNCTION omni_costs.fold_into_rollup(p_since pg_snapshot, p_from timestamptz, p_until timestamptz)
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

CREATE FUNCTION omni_costs.ceil_day(p_at timestamptz)
RETURNS date
LANGUAGE sql IMMUTABLE
AS $$
  SELECT CASE WHEN p_at = 'infinity' THEN 'infinity'::date
              ELSE ((p_at AT TIME ZONE 'UTC') + interval '1 day' - interval '1 microsecond')::date END
$$;
COMMENT ON FUNCTION omni_costs.ceil_day(timestamptz) IS 'The first UTC day that starts at or after p_at (exclusive upper day bound of a time range).';

CREATE FUNCTION omni_costs.refresh_rollups()
RETURNS TABLE (rows_added bigint, days_recomputed integer, snapshot pg_snapshot)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_prev pg_snapshot;
  v_fold record;
BEGIN
  -- REPEATABLE READ, with the lock taken first (a lock statement takes no snapshot, so the snapshot is taken
  -- after any earlier refresh committed): two refreshes never overlap and none re-adds another's rows.
  IF current_setting('transaction_isolation') NOT IN ('repeatable read', 'serializable') THEN
    RAISE EXCEPTION 'refresh_rollups() must run in a REPEATABLE READ transaction' USING ERRCODE = '25001',
      HINT = 'BEGIN ISOLATION LEVEL REPEATABLE READ; LOCK TABLE omni_costs.rollup_state IN EXCLUSIVE MODE; SELECT * FROM omni_costs.refresh_rollups(); COMMIT;';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_locks l WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid()
                    AND l.relation = 'omni_costs.rollup_state'::regclass AND l.mode = 'ExclusiveLock' AND l.granted) THEN
    RAISE EXCEPTION 'refresh_rollups() needs LOCK TABLE omni_costs.rollup_state IN EXCLUSIVE MODE first' USING ERRCODE = '55000';
  END IF;

  SELECT s.snapshot INTO v_prev FROM rollup_state s;
  SELECT * INTO v_fold FROM fold_into_rollup(v_prev, '-infinity', 'infinity');
  UPDATE rollup_state s
     SET snapshot = pg_current_snapshot(), refreshed_at = now(), rows_added = v_fold.rows_added,
         days_recomputed = v_fold.days_recomputed;

  PERFORM refresh_views();
  RETURN QUERY SELECT v_fold.rows_added, v_fold.days_recomputed, pg_current_snapshot();
END
$$;
COMMENT ON FUNCTION omni_costs.refresh_rollups() IS 'Adds the usage rows committed since the last refresh snapshot to usage_daily (work proportional to the new rows), re-aggregates the days marked dirty by updates and deletes, records the new snapshot in rollup_state, and refreshes the daily materialized views. Must run in REPEATABLE READ after LOCK TABLE rollup_state IN EXCLUSIVE MODE. Returns rows added, days re-aggregated and the new snapshot.';
