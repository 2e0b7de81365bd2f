-- Triggers of model_usage. Same-event triggers fire in name order, so the number prefix is the order.
--   _100_price            BEFORE INSERT, row: price the call at occurred_at (skipped for the rows of
--                         record_usage(), which prices its rows set-wise; see there).
--   _200_add_to_batches   AFTER INSERT, statement: add the new rows to their batches' shards.
--   _210_update_batches   AFTER UPDATE, statement: apply cost changes to the shards; mark days dirty.
--   _220_remove_from_batches AFTER DELETE, statement: subtract deleted rows; mark days dirty.
CREATE FUNCTION omni_costs.tg_model_usage__price()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  r omni_costs.cost_result;
BEGIN
  r := price_usage(ROW(NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens, NEW.cache_write_tokens,
                       NEW.cache_write_1h_tokens, NEW.reasoning_tokens, NEW.input_audio_tokens,
                       NEW.cached_input_audio_tokens, NEW.output_audio_tokens, NEW.input_image_tokens,
                       NEW.web_search_requests, NEW.image_count, NEW.audio_seconds, NEW.requests)::usage_quantities,
                   NEW.provider, NEW.model, NEW.service_tier, NEW.operation, NEW.occurred_at);
  NEW.processing_cost_usd := r.processing_cost_usd;
  NEW.cost_status := r.cost_status;
  NEW.pricing_id := r.pricing_id;
  NEW.pricing_match := r.pricing_match;
  NEW.cost_note := r.cost_note;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__price() IS 'BEFORE INSERT row trigger: sets processing_cost_usd, cost_status, pricing_id, pricing_match and cost_note from price_usage() at occurred_at. Whatever the writer sent in those columns is replaced. Not fired for the rows record_usage() inserts: it computes the same columns with the same functions, once per call instead of once per row.';
-- The setting is on only while record_usage() runs (a SET clause of that function, restored when it returns
-- or fails); workers cannot insert into model_usage, and whoever can and sets it takes over the pricing.
CREATE TRIGGER _100_price BEFORE INSERT ON omni_costs.model_usage
  FOR EACH ROW WHEN (current_setting('omni_costs.priced_by_record_usage', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION omni_costs.tg_model_usage__price();

CREATE FUNCTION omni_costs.apply_batch_deltas(
  p_batch_ids uuid[], p_cost_usd numeric[], p_usage_rows bigint[], p_estimated_rows bigint[], p_unpriced_rows bigint[])
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
  -- One upsert per batch into the calling backend's shard; batches in id order so two statements that
  -- share a shard lock their rows in the same order and cannot deadlock.
  INSERT INTO _batch_cost_shards AS s (batch_job_id, shard, cost_usd, usage_rows, estimated_rows, unpriced_rows)
  SELECT d.batch_job_id, (pg_backend_pid() % 32)::smallint, d.cost_usd, d.usage_rows, d.estimated_rows, d.unpriced_rows
    FROM unnest(p_batch_ids, p_cost_usd, p_usage_rows, p_estimated_rows, p_unpriced_rows)
         AS d(batch_job_id, cost_usd, usage_rows, estimated_rows, unpriced_rows)
   ORDER BY d.batch_job_id
  ON CONFLICT (batch_job_id, shard) DO UPDATE
     SET cost_usd = s.cost_usd + excluded.cost_usd,
         usage_rows = s.usage_rows + excluded.usage_rows,
         estimated_rows = s.estimated_rows + excluded.estimated_rows,
         unpriced_rows = s.unpriced_rows + excluded.unpriced_rows
$$;
COMMENT ON FUNCTION omni_costs.apply_batch_deltas(uuid[], numeric[], bigint[], bigint[], bigint[]) IS 'Adds signed per-batch deltas (cost USD, rows, estimated rows, unpriced rows; one array element per distinct batch) to the calling backend''s shard of each batch. Used by the model_usage statement triggers.';

CREATE FUNCTION omni_costs.tg_model_usage__add_to_batches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM apply_batch_deltas(array_agg(d.batch_job_id), array_agg(d.cost_usd), array_agg(d.usage_rows),
                             array_agg(d.estimated_rows), array_agg(d.unpriced_rows))
     FROM (SELECT n.batch_job_id, coalesce(sum(n.processing_cost_usd), 0) AS cost_usd, count(*) AS usage_rows,
                  count(*) FILTER (WHERE n.cost_status = 'estimated') AS estimated_rows,
                  count(*) FILTER (WHERE n.cost_status = 'unpriced') AS unpriced_rows
             FROM new_rows n WHERE n.batch_job_id IS NOT NULL
            GROUP BY n.batch_job_id) d
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__add_to_batches() IS 'AFTER INSERT statement trigger: adds the inserted rows'' costs and counts to their batches, one upsert per batch into the writing backend''s shard.';
CREATE TRIGGER _200_add_to_batches AFTER INSERT ON omni_costs.model_usage
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_usage__add_to_batches();

CREATE FUNCTION omni_costs.tg_model_usage__update_batches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM apply_batch_deltas(array_agg(d.batch_job_id), array_agg(d.cost_usd), array_agg(d.usage_rows),
                             array_agg(d.estimated_rows), array_agg(d.unpriced_rows))
     FROM (SELECT batch_job_id, sum(cost_usd) AS cost_usd, sum(usage_rows)::bigint AS usage_rows,
                  sum(estimated_rows)::bigint AS estimated_rows, sum(unpriced_rows)::bigint AS unpriced_rows
             FROM (SELECT n.batch_job_id, coalesce(n.processing_cost_usd, 0) AS cost_usd, 1 AS usage_rows,
                          (n.cost_status = 'estimated')::int AS estimated_rows, (n.cost_status = 'unpriced')::int AS unpriced_rows
                     FROM new_rows n WHERE n.batch_job_id IS NOT NULL
                   UNION ALL
                   SELECT o.batch_job_id, -coalesce(o.processing_cost_usd, 0), -1,
                          -(o.cost_status = 'estimated')::int, -(o.cost_status = 'unpriced')::int
                     FROM old_rows o WHERE o.batch_job_id IS NOT NULL) x
            GROUP BY batch_job_id) d
   HAVING count(*) > 0;
  INSERT INTO rollup_dirty_days (day)
  SELECT DISTINCT (o.occurred_at AT TIME ZONE 'UTC')::date FROM old_rows o
  UNION SELECT DISTINCT (n.occurred_at AT TIME ZONE 'UTC')::date FROM new_rows n
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__update_batches() IS 'AFTER UPDATE statement trigger: moves cost and status counts between old and new values in the batch shards, and marks the touched UTC days for re-aggregation.';
CREATE TRIGGER _210_update_batches AFTER UPDATE ON omni_costs.model_usage
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_usage__update_batches();

CREATE FUNCTION omni_costs.tg_model_usage__remove_from_batches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM apply_batch_deltas(array_agg(d.batch_job_id), array_agg(d.cost_usd), array_agg(d.usage_rows),
                             array_agg(d.estimated_rows), array_agg(d.unpriced_rows))
     FROM (SELECT o.batch_job_id, -coalesce(sum(o.processing_cost_usd), 0) AS cost_usd, -count(*) AS usage_rows,
                  -count(*) FILTER (WHERE o.cost_status = 'estimated') AS estimated_rows,
                  -count(*) FILTER (WHERE o.cost_status = 'unpriced') AS unpriced_rows
             FROM old_rows o WHERE o.batch_job_id IS NOT NULL
            GROUP BY o.batch_job_id) d
   HAVING count(*) > 0;
  INSERT INTO rollup_dirty_days (day)
  SELECT DISTINCT (o.occurred_at AT TIME ZONE 'UTC')::date FROM old_rows o
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__remove_from_batches() IS 'AFTER DELETE statement trigger: subtracts deleted rows from their batches and marks their UTC days for re-aggregation.';
CREATE TRIGGER _220_remove_from_batches AFTER DELETE ON omni_costs.model_usage
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_usage__remove_from_batches();
