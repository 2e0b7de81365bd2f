-- The read surface: views over the tables. Analysts and the CLI read these; the tables are storage.
CREATE VIEW omni_costs.batch_jobs AS
SELECT b.id, b.instance_id, b.job_type, b.status, b.total_items, b.processed_items, b.failed_items,
       b.created_at, b.started_at, b.completed_at,
       (SELECT coalesce(sum(s.cost_usd), 0) FROM omni_costs._batch_cost_shards s WHERE s.batch_job_id = b.id) AS total_cost_usd,
       b.estimated_cost_usd
  FROM omni_costs._batch_jobs b;
COMMENT ON VIEW omni_costs.batch_jobs IS 'Batch jobs, compatible with Omni''s batch_jobs table (insert and update through it work), with total_cost_usd: the exact sum of the batch''s usage costs at any moment, USD.';
COMMENT ON COLUMN omni_costs.batch_jobs.id IS 'Batch job id (uuid).';
COMMENT ON COLUMN omni_costs.batch_jobs.instance_id IS 'Omni instance that owns the batch.';
COMMENT ON COLUMN omni_costs.batch_jobs.job_type IS 'Kind of batch.';
COMMENT ON COLUMN omni_costs.batch_jobs.status IS 'pending, running, completed, failed or cancelled.';
COMMENT ON COLUMN omni_costs.batch_jobs.total_items IS 'Items the batch will process.';
COMMENT ON COLUMN omni_costs.batch_jobs.processed_items IS 'Items processed so far.';
COMMENT ON COLUMN omni_costs.batch_jobs.failed_items IS 'Items that failed.';
COMMENT ON COLUMN omni_costs.batch_jobs.created_at IS 'When the batch was created.';
COMMENT ON COLUMN omni_costs.batch_jobs.started_at IS 'When processing started.';
COMMENT ON COLUMN omni_costs.batch_jobs.completed_at IS 'When processing ended.';
COMMENT ON COLUMN omni_costs.batch_jobs.total_cost_usd IS 'Sum of processing_cost_usd of the batch''s usage rows, USD (exact; unpriced calls add nothing and are counted in batch_costs.unpriced_calls).';
COMMENT ON COLUMN omni_costs.batch_jobs.estimated_cost_usd IS 'Pre-run estimate, USD.';

CREATE VIEW omni_costs.batch_costs AS
SELECT b.id AS batch_job_id, b.instance_id, b.job_type, b.status, b.total_items, b.processed_items, b.failed_items,
       b.created_at, b.started_at, b.completed_at, b.estimated_cost_usd,
       coalesce(s.cost_usd, 0) AS total_cost_usd, coalesce(s.usage_rows, 0) AS calls,
       coalesce(s.estimated_rows, 0) AS estimated_calls, coalesce(s.unpriced_rows, 0) AS unpriced_calls
  FROM omni_costs._batch_jobs b
  LEFT JOIN (SELECT batch_job_id, sum(cost_usd) AS cost_usd, sum(usage_rows)::bigint AS usage_rows,
                    sum(estimated_rows)::bigint AS estimated_rows, sum(unpriced_rows)::bigint AS unpriced_rows
               FROM omni_costs._batch_cost_shards GROUP BY batch_job_id) s ON s.batch_job_id = b.id;
COMMENT ON VIEW omni_costs.batch_costs IS 'Per batch: progress, exact cost so far (USD) and how many of its calls are estimated or unpriced.';
COMMENT ON COLUMN omni_costs.batch_costs.batch_job_id IS 'Batch job id.';
COMMENT ON COLUMN omni_costs.batch_costs.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.batch_costs.job_type IS 'Kind of batch.';
COMMENT ON COLUMN omni_costs.batch_costs.status IS 'Batch status.';
COMMENT ON COLUMN omni_costs.batch_costs.total_items IS 'Items planned.';
COMMENT ON COLUMN omni_costs.batch_costs.processed_items IS 'Items processed.';
COMMENT ON COLUMN omni_costs.batch_costs.failed_items IS 'Items failed.';
COMMENT ON COLUMN omni_costs.batch_costs.created_at IS 'Created.';
COMMENT ON COLUMN omni_costs.batch_costs.started_at IS 'Started.';
COMMENT ON COLUMN omni_costs.batch_costs.completed_at IS 'Ended.';
COMMENT ON COLUMN omni_costs.batch_costs.estimated_cost_usd IS 'Pre-run estimate, USD.';
COMMENT ON COLUMN omni_costs.batch_costs.total_cost_usd IS 'Sum of the batch''s known costs, USD.';
COMMENT ON COLUMN omni_costs.batch_costs.calls IS 'Usage rows (provider calls) of the batch.';
COMMENT ON COLUMN omni_costs.batch_costs.estimated_calls IS 'Of which the cost is an estimate.';
COMMENT ON COLUMN omni_costs.batch_costs.unpriced_calls IS 'Of which the cost is unknown (not in total_cost_usd).';

CREATE VIEW omni_costs.usage_costs AS
SELECT u.usage_id, u.idempotency_key, u.occurred_at, u.recorded_at, u.recorded_xid, u.instance_id, u.batch_job_id, u.message_id,
       u.provider, u.model, u.operation, u.service_tier, u.input_tokens, u.output_tokens, u.cached_input_tokens,
       u.cache_write_tokens, u.cache_write_1h_tokens, u.reasoning_tokens, u.input_audio_tokens,
       u.cached_input_audio_tokens, u.output_audio_tokens, u.input_image_tokens, u.input_video_tokens,
       u.tool_use_prompt_tokens, u.web_search_requests, u.image_count, u.audio_seconds, u.audio_seconds_source,
       u.requests, u.processing_cost_usd, u.cost_status, u.pricing_id, u.pricing_match, u.cost_note
  FROM omni_costs.model_usage u;
COMMENT ON VIEW omni_costs.usage_costs IS 'One row per provider call with its usage and cost (USD); see model_usage for the meaning of each column.';

CREATE VIEW omni_costs.message_costs AS
SELECT u.instance_id, u.message_id, count(*) AS calls, coalesce(sum(u.processing_cost_usd), 0) AS cost_usd,
       count(*) FILTER (WHERE u.cost_status = 'estimated') AS estimated_calls,
       count(*) FILTER (WHERE u.cost_status = 'unpriced') AS unpriced_calls,
       array_agg(DISTINCT u.provider || '/' || u.model) AS models,
       min(u.occurred_at) AS first_call_at, max(u.occurred_at) AS last_call_at
  FROM omni_costs.model_usage u
 WHERE u.message_id IS NOT NULL
 GROUP BY u.instance_id, u.message_id;
COMMENT ON VIEW omni_costs.message_costs IS 'Per message (instance, message id): number of calls, total known cost in USD, and how many calls are estimated or unpriced. Filter by message_id: the view aggregates on the fly.';
COMMENT ON COLUMN omni_costs.message_costs.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.message_costs.message_id IS 'Message id.';
COMMENT ON COLUMN omni_costs.message_costs.calls IS 'Provider calls made for the message.';
COMMENT ON COLUMN omni_costs.message_costs.cost_usd IS 'Sum of known costs, USD.';
COMMENT ON COLUMN omni_costs.message_costs.estimated_calls IS 'Calls whose cost is an estimate.';
COMMENT ON COLUMN omni_costs.message_costs.unpriced_calls IS 'Calls whose cost is unknown (not in cost_usd).';
COMMENT ON COLUMN omni_costs.message_costs.models IS 'provider/model pairs used.';
COMMENT ON COLUMN omni_costs.message_costs.first_call_at IS 'First call.';
COMMENT ON COLUMN omni_costs.message_costs.last_call_at IS 'Last call.';

CREATE VIEW omni_costs.rollup_status AS
SELECT s.snapshot, s.refreshed_at, s.rows_added, s.days_recomputed,
       ARRAY(SELECT DISTINCT d.day FROM omni_costs.rollup_dirty_days d ORDER BY 1) AS dirty_days
  FROM omni_costs.rollup_state s;
COMMENT ON VIEW omni_costs.rollup_status IS 'How current the daily rollups are: a usage row is in usage_daily (daily_costs) iff its transaction is visible in snapshot; days in dirty_days are stale there until the next refresh (read them from usage_costs).';
COMMENT ON COLUMN omni_costs.rollup_status.snapshot IS 'Snapshot of the last refresh (pg_snapshot); rows with NOT pg_visible_in_snapshot(recorded_xid::text::xid8, snapshot) came later.';
COMMENT ON COLUMN omni_costs.rollup_status.refreshed_at IS 'When the last refresh ran.';
COMMENT ON COLUMN omni_costs.rollup_status.rows_added IS 'Usage rows the last refresh added.';
COMMENT ON COLUMN omni_costs.rollup_status.days_recomputed IS 'Days the last refresh re-aggregated.';
COMMENT ON COLUMN omni_costs.rollup_status.dirty_days IS 'UTC days with updated or deleted rows since the last refresh.';
