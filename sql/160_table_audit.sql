-- Audit trail of price changes and re-pricing runs: who (database role), when, why, what changed.
CREATE TABLE omni_costs.price_changes (
  change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by text NOT NULL DEFAULT current_user,
  action text NOT NULL,
  pricing_id bigint,
  provider text NOT NULL,
  model text NOT NULL,
  reason text,
  detail jsonb NOT NULL DEFAULT '{}',
  CONSTRAINT price_change_action_is_known CHECK (action IN ('open', 'close', 'sync_open', 'sync_close'))
);
COMMENT ON TABLE omni_costs.price_changes IS 'Audit log of every price range opened or closed, by the set_price() function or a catalogue sync.';
COMMENT ON COLUMN omni_costs.price_changes.change_id IS 'Surrogate key.';
COMMENT ON COLUMN omni_costs.price_changes.changed_at IS 'When the change was made.';
COMMENT ON COLUMN omni_costs.price_changes.changed_by IS 'Database role that made the change (session_user when through a security-definer function).';
COMMENT ON COLUMN omni_costs.price_changes.action IS 'open (a new range), close (a range cut short), sync_open / sync_close (the same, by omni pricing sync).';
COMMENT ON COLUMN omni_costs.price_changes.pricing_id IS 'model_pricing row opened, or the row that was closed.';
COMMENT ON COLUMN omni_costs.price_changes.provider IS 'Provider of the price.';
COMMENT ON COLUMN omni_costs.price_changes.model IS 'Model of the price.';
COMMENT ON COLUMN omni_costs.price_changes.reason IS 'Why, as given by the operator.';
COMMENT ON COLUMN omni_costs.price_changes.detail IS 'The old and new range and prices, as JSON.';

CREATE TABLE omni_costs.reprice_runs (
  run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ran_at timestamptz NOT NULL DEFAULT now(),
  ran_by text NOT NULL DEFAULT session_user,
  reason text,
  scope jsonb NOT NULL,
  rows_changed bigint NOT NULL,
  old_total_usd numeric NOT NULL,
  new_total_usd numeric NOT NULL
);
COMMENT ON TABLE omni_costs.reprice_runs IS 'Audit log of re-pricing runs (omni pricing reprice): scope, rows changed and the totals before and after, USD.';
COMMENT ON COLUMN omni_costs.reprice_runs.run_id IS 'Surrogate key.';
COMMENT ON COLUMN omni_costs.reprice_runs.ran_at IS 'When the run committed.';
COMMENT ON COLUMN omni_costs.reprice_runs.ran_by IS 'Database role that ran it.';
COMMENT ON COLUMN omni_costs.reprice_runs.reason IS 'Why, as given by the operator.';
COMMENT ON COLUMN omni_costs.reprice_runs.scope IS 'Filters of the run: provider, model, since, until.';
COMMENT ON COLUMN omni_costs.reprice_runs.rows_changed IS 'Usage rows whose cost changed.';
COMMENT ON COLUMN omni_costs.reprice_runs.old_total_usd IS 'Sum of the changed rows'' costs before, USD.';
COMMENT ON COLUMN omni_costs.reprice_runs.new_total_usd IS 'Sum of the changed rows'' costs after, USD.';
