-- Batch jobs. The table _batch_jobs holds the job; the view batch_jobs (sql/400) adds total_cost_usd,
-- which is the exact sum of the job's usage rows, kept in per-backend shards so that many workers
-- writing one batch never queue on a single row lock.
CREATE TABLE omni_costs._batch_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  instance_id uuid NOT NULL,
  job_type text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  total_items integer,
  processed_items integer NOT NULL DEFAULT 0,
  failed_items integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  estimated_cost_usd numeric,
  CONSTRAINT batch_status_is_known CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  CONSTRAINT batch_item_counts_are_not_negative CHECK (coalesce(total_items, 0) >= 0 AND processed_items >= 0 AND failed_items >= 0),
  CONSTRAINT estimated_cost_is_not_negative CHECK (coalesce(estimated_cost_usd, 0) >= 0)
);
CREATE INDEX _batch_jobs_instance_created ON omni_costs._batch_jobs (instance_id, created_at DESC);
COMMENT ON TABLE omni_costs._batch_jobs IS 'Storage of batch jobs (internal; read and write through the batch_jobs view, which adds total_cost_usd).';
COMMENT ON COLUMN omni_costs._batch_jobs.id IS 'Batch job id (uuid).';
COMMENT ON COLUMN omni_costs._batch_jobs.instance_id IS 'Omni instance that owns the batch.';
COMMENT ON COLUMN omni_costs._batch_jobs.job_type IS 'Kind of batch, e.g. media_transcription, image_description.';
COMMENT ON COLUMN omni_costs._batch_jobs.status IS 'pending, running, completed, failed or cancelled.';
COMMENT ON COLUMN omni_costs._batch_jobs.total_items IS 'Items the batch will process; NULL = not known yet.';
COMMENT ON COLUMN omni_costs._batch_jobs.processed_items IS 'Items processed so far (successes and failures).';
COMMENT ON COLUMN omni_costs._batch_jobs.failed_items IS 'Items that failed.';
COMMENT ON COLUMN omni_costs._batch_jobs.created_at IS 'When the batch was created.';
COMMENT ON COLUMN omni_costs._batch_jobs.started_at IS 'When processing started.';
COMMENT ON COLUMN omni_costs._batch_jobs.completed_at IS 'When processing ended.';
COMMENT ON COLUMN omni_costs._batch_jobs.estimated_cost_usd IS 'Pre-run estimate, USD (from omni batch estimate), kept to compare with the actual.';

CREATE TABLE omni_costs._batch_cost_shards (
  batch_job_id uuid NOT NULL REFERENCES omni_costs._batch_jobs (id),
  shard smallint NOT NULL,
  cost_usd numeric NOT NULL DEFAULT 0,
  usage_rows bigint NOT NULL DEFAULT 0,
  estimated_rows bigint NOT NULL DEFAULT 0,
  unpriced_rows bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (batch_job_id, shard)
);
COMMENT ON TABLE omni_costs._batch_cost_shards IS 'Running totals of a batch split into shards by writing backend (pg_backend_pid() % 32), so concurrent writers of one batch do not serialise on one row. The batch total is the sum of its shards. Maintained only by the model_usage statement triggers.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.batch_job_id IS 'Batch the shard belongs to.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.shard IS 'Shard number, 0..31.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.cost_usd IS 'Sum of processing_cost_usd of the rows counted in this shard, USD (unknown costs count as nothing here; see unpriced_rows).';
COMMENT ON COLUMN omni_costs._batch_cost_shards.usage_rows IS 'Number of usage rows counted in this shard.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.estimated_rows IS 'Of which cost_status = estimated.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.unpriced_rows IS 'Of which cost_status = unpriced (cost unknown).';
