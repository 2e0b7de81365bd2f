-- Rollup storage. usage_daily is maintained incrementally by refresh_rollups(): rows committed since the
-- last refresh snapshot are added (an O(new rows) delta), and days touched by updates or deletes are
-- re-aggregated. Two coarser grains follow it in the same transaction; the materialized views of sql/410
-- are built from those. Archiving a month of raw rows leaves these totals unchanged.
CREATE TABLE omni_costs.usage_daily (
  day date NOT NULL,
  instance_id uuid NOT NULL,
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
  PRIMARY KEY (day, instance_id, provider, model, operation, cost_status)
);
CREATE INDEX usage_daily_instance_day ON omni_costs.usage_daily (instance_id, day);
COMMENT ON TABLE omni_costs.usage_daily IS 'Daily totals (UTC days) per instance, provider, model, operation and cost status, as of the snapshot in rollup_state. Reports add the rows committed since (the tail) to be exact and current.';
COMMENT ON COLUMN omni_costs.usage_daily.day IS 'UTC calendar day of occurred_at.';
COMMENT ON COLUMN omni_costs.usage_daily.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.usage_daily.provider IS 'Provider id.';
COMMENT ON COLUMN omni_costs.usage_daily.model IS 'Model as recorded.';
COMMENT ON COLUMN omni_costs.usage_daily.operation IS 'Operation.';
COMMENT ON COLUMN omni_costs.usage_daily.cost_status IS 'Cost status of the calls in this group.';
COMMENT ON COLUMN omni_costs.usage_daily.calls IS 'Number of usage rows (provider calls).';
COMMENT ON COLUMN omni_costs.usage_daily.requests IS 'Billable requests (0 for error responses).';
COMMENT ON COLUMN omni_costs.usage_daily.input_tokens IS 'Sum of known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.output_tokens IS 'Sum of known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.cached_input_tokens IS 'Sum of known cached input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.reasoning_tokens IS 'Sum of known reasoning tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.audio_seconds IS 'Sum of known audio seconds, seconds.';
COMMENT ON COLUMN omni_costs.usage_daily.calls_without_usage IS 'Calls whose token usage is unknown (input and output tokens NULL).';
COMMENT ON COLUMN omni_costs.usage_daily.cost_usd IS 'Sum of processing_cost_usd, USD (NULL costs of unpriced calls add nothing; count them by cost_status).';

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

CREATE TABLE omni_costs.rollup_state (
  id boolean PRIMARY KEY DEFAULT true,
  snapshot pg_snapshot NOT NULL,
  refreshed_at timestamptz NOT NULL,
  rows_added bigint NOT NULL DEFAULT 0,
  days_recomputed integer NOT NULL DEFAULT 0,
  CONSTRAINT rollup_state_has_one_row CHECK (id)
);
COMMENT ON TABLE omni_costs.rollup_state IS 'The single watermark of usage_daily: the snapshot of the last refresh. A usage row is in usage_daily iff its transaction is visible in this snapshot.';
COMMENT ON COLUMN omni_costs.rollup_state.id IS 'Always true: there is one row.';
COMMENT ON COLUMN omni_costs.rollup_state.snapshot IS 'pg_current_snapshot() of the last refresh.';
COMMENT ON COLUMN omni_costs.rollup_state.refreshed_at IS 'When the last refresh ran.';
COMMENT ON COLUMN omni_costs.rollup_state.rows_added IS 'Usage rows the last refresh added as a delta.';
COMMENT ON COLUMN omni_costs.rollup_state.days_recomputed IS 'Days the last refresh re-aggregated because rows were updated or deleted.';
INSERT INTO omni_costs.rollup_state (snapshot, refreshed_at) VALUES (pg_current_snapshot(), now());

CREATE TABLE omni_costs.rollup_dirty_days (
  day date NOT NULL,
  marked_xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
  PRIMARY KEY (day, marked_xid)
);
COMMENT ON TABLE omni_costs.rollup_dirty_days IS 'UTC days whose usage rows were updated or deleted (reprice, late pricing) since the last refresh, one mark per day and transaction; the next refresh re-aggregates them and removes the marks it saw, and reports compute those days from raw rows meanwhile. One mark per transaction (not per day) so that a transaction committing during a refresh keeps its own mark.';
COMMENT ON COLUMN omni_costs.rollup_dirty_days.day IS 'UTC day to re-aggregate.';
COMMENT ON COLUMN omni_costs.rollup_dirty_days.marked_xid IS 'Transaction that changed rows of that day (xid8 as bigint).';

CREATE TABLE omni_costs.view_refreshes (
  view_name text PRIMARY KEY,
  refreshed_at timestamptz NOT NULL,
  duration_ms numeric NOT NULL,
  row_count bigint NOT NULL,
  method text NOT NULL DEFAULT 'concurrently',
  CONSTRAINT method_is_known CHECK (method IN ('swap', 'concurrently'))
);
COMMENT ON TABLE omni_costs.view_refreshes IS 'When each materialized view was last refreshed, how long it took (milliseconds) and how many rows it holds.';
COMMENT ON COLUMN omni_costs.view_refreshes.view_name IS 'Materialized view name.';
COMMENT ON COLUMN omni_costs.view_refreshes.refreshed_at IS 'End of the last refresh.';
COMMENT ON COLUMN omni_costs.view_refreshes.duration_ms IS 'Duration of the last refresh, milliseconds.';
COMMENT ON COLUMN omni_costs.view_refreshes.row_count IS 'Rows in the view after the last refresh.';
COMMENT ON COLUMN omni_costs.view_refreshes.method IS 'How the last refresh ran: swap (plain REFRESH, readers held for at most 100 ms plus the refresh itself) or concurrently (REFRESH ... CONCURRENTLY of both views, because a reader was in one of them).';
