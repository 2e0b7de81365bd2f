-- Monthly partitions of model_usage: created ahead by ensure_usage_partitions() (migration and the daily
-- maintenance job), detached for archiving by detach_usage_month(). Detaching never changes rollups or
-- batch totals, which are kept apart from the raw rows.
CREATE FUNCTION omni_costs.ensure_usage_partitions(p_from date, p_until date)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_month date := date_trunc('month', p_from)::date;
  v_name text;
  v_created integer := 0;
BEGIN
  WHILE v_month < p_until LOOP
    v_name := format('model_usage_y%sm%s', to_char(v_month, 'YYYY'), to_char(v_month, 'MM'));
    IF to_regclass(format('omni_costs.%I', v_name)) IS NULL THEN
      -- Rows of that month that landed in the default partition move into the new partition first.
      EXECUTE format('CREATE TABLE omni_costs.%I (LIKE omni_costs.model_usage INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
      EXECUTE format($q$WITH moved AS (DELETE FROM omni_costs.model_usage_default
                         WHERE occurred_at >= %L::timestamptz AND occurred_at < %L::timestamptz RETURNING *)
                        INSERT INTO omni_costs.%I SELECT * FROM moved$q$,
                     v_month::timestamp AT TIME ZONE 'UTC', (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC', v_name);
      EXECUTE format('ALTER TABLE omni_costs.model_usage ATTACH PARTITION omni_costs.%I FOR VALUES FROM (%L) TO (%L)',
                     v_name, v_month::timestamp AT TIME ZONE 'UTC', (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
      EXECUTE format('COMMENT ON TABLE omni_costs.%I IS %L', v_name,
                     format('Usage rows of %s (UTC). A partition of model_usage.', to_char(v_month, 'YYYY-MM')));
      v_created := v_created + 1;
    END IF;
    v_month := (v_month + interval '1 month')::date;
  END LOOP;
  RETURN v_created;
END
$$;
COMMENT ON FUNCTION omni_costs.ensure_usage_partitions(date, date) IS 'Creates the missing monthly partitions of model_usage covering [p_from, p_until) (UTC months), moving any rows of those months out of the default partition. Returns how many it created.';

CREATE FUNCTION omni_costs.detach_usage_month(p_month date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_month date := date_trunc('month', p_month)::date;
  v_name text := format('model_usage_y%sm%s', to_char(p_month, 'YYYY'), to_char(p_month, 'MM'));
  v_archive text := 'archived_' || v_name;
BEGIN
  IF to_regclass(format('omni_costs.%I', v_name)) IS NULL THEN
    -- The month's calls are in the default partition: give them a partition of their own first.
    PERFORM ensure_usage_partitions(v_month, (v_month + interval '1 month')::date);
  END IF;
  -- Bring the month's rows into the rollups first: no refresh runs meanwhile (rollup_state lock), and no
  -- write to the month is in flight (the partition lock waits for open writers and blocks new ones).
  LOCK TABLE rollup_state IN EXCLUSIVE MODE;
  EXECUTE format('LOCK TABLE omni_costs.%I IN ACCESS EXCLUSIVE MODE', v_name);
  PERFORM fold_into_rollup((SELECT s.snapshot FROM rollup_state s),
                           v_month::timestamp AT TIME ZONE 'UTC', (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  EXECUTE format('ALTER TABLE omni_costs.model_usage DETACH PARTITION omni_costs.%I', v_name);
  EXECUTE format('ALTER TABLE omni_costs.%I RENAME TO %I', v_name, v_archive);
  EXECUTE format('COMMENT ON TABLE omni_costs.%I IS %L', v_archive,
                 format('Archived usage rows of %s (UTC), detached from model_usage; rollups and batch totals still count them. Dump and drop at will.', to_char(p_month, 'YYYY-MM')));
  RETURN 'omni_costs.' || v_archive;
END
$$;
COMMENT ON FUNCTION omni_costs.detach_usage_month(date) IS 'Folds the month''s rows not yet in the rollups into usage_daily, then detaches the month of p_month from model_usage and renames it archived_model_usage_yYYYYmMM, for archiving. Daily rollups and batch totals keep counting its rows. Returns the archive table name.';

-- A few months around now: every empty partition costs planning time in every query. Older calls land in
-- the default partition until ensure_usage_partitions() is run for their months (it moves them).
SELECT omni_costs.ensure_usage_partitions((date_trunc('month', now()) - interval '3 months')::date,
                                          (date_trunc('month', now()) + interval '4 months')::date);
