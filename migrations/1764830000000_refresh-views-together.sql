-- Up Migration
-- The daily views are refreshed together (refresh_views()): plain REFRESHes only when every lock is
-- granted, otherwise all CONCURRENTLY. Refreshing them one by one could hold the first view locked against
-- its readers while the refresh waited for the second. refresh_view() becomes refresh_views() of one view.

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

CREATE OR REPLACE FUNCTION omni_costs.refresh_view(p_view text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
  SELECT refresh_views(ARRAY[p_view])
$$;
COMMENT ON FUNCTION omni_costs.refresh_view(text) IS 'Refreshes one daily view: refresh_views() of that view alone.';
COMMENT ON FUNCTION omni_costs._refresh_view_swap(text) IS 'Plain REFRESH of one daily view, giving up (SQLSTATE 55P03) when its ACCESS EXCLUSIVE lock is not granted within 100 ms. Used by refresh_views().';

REVOKE ALL ON FUNCTION omni_costs.refresh_views(text[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION omni_costs.refresh_rollups()
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

COMMENT ON COLUMN omni_costs.view_refreshes.method IS 'How the last refresh ran: swap (plain REFRESH, readers held for at most 100 ms plus the refresh itself) or concurrently (REFRESH ... CONCURRENTLY of both views, because a reader was in one of them).';
