-- Least privilege. Writers can only record calls (through record_usage); readers can only read the
-- reporting views; admins change prices through audited functions and read everything.
REVOKE ALL ON ALL TABLES IN SCHEMA omni_costs FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA omni_costs FROM PUBLIC;
REVOKE ALL ON SCHEMA omni_costs FROM PUBLIC;

GRANT USAGE ON SCHEMA omni_costs TO omni_costs_writer, omni_costs_reader, omni_costs_admin;

GRANT EXECUTE ON FUNCTION omni_costs.record_usage(jsonb) TO omni_costs_writer, omni_costs_admin;

GRANT SELECT ON omni_costs.usage_costs, omni_costs.message_costs, omni_costs.batch_costs, omni_costs.batch_jobs,
  omni_costs.daily_costs, omni_costs.daily_model_status_costs, omni_costs.daily_instance_status_costs,
  omni_costs.daily_instance_costs, omni_costs.daily_model_costs, omni_costs.view_refreshes, omni_costs.rollup_status
  TO omni_costs_reader, omni_costs_admin;

GRANT SELECT ON ALL TABLES IN SCHEMA omni_costs TO omni_costs_admin;
GRANT INSERT, UPDATE ON omni_costs.batch_jobs TO omni_costs_admin;
GRANT EXECUTE ON FUNCTION omni_costs.refresh_rollups(), omni_costs.ensure_usage_partitions(date, date),
  omni_costs.resolve_price(text, text, text, timestamptz, integer), omni_costs.price_candidates(text, text, text),
  omni_costs.price_of(omni_costs.model_usage),
  omni_costs.price_at(omni_costs.usage_quantities, text, text, text, text, timestamptz, omni_costs.model_pricing, text),
  omni_costs.price_usage(omni_costs.usage_quantities, text, text, text, text, timestamptz),
  omni_costs.cost_lines(omni_costs.usage_quantities, omni_costs.model_pricing),
  omni_costs.call_cost_usd(integer, integer, integer, integer, integer, integer, integer, integer, integer, integer,
    integer, integer, numeric, integer, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric,
    numeric, numeric, numeric, numeric, numeric, numeric, numeric),
  omni_costs.quantities_of(omni_costs.model_usage), omni_costs.find_estimate(text, text, text),
  omni_costs.detach_usage_month(date), omni_costs.price_waiting_calls(text[], timestamptz, timestamptz)
  TO omni_costs_admin;
-- The refresh takes LOCK TABLE rollup_state IN EXCLUSIVE MODE, which needs UPDATE on it.
GRANT UPDATE ON omni_costs.rollup_state TO omni_costs_admin;
-- Partitions created later (by the worker's upkeep job) are readable by the admin too.
ALTER DEFAULT PRIVILEGES IN SCHEMA omni_costs GRANT SELECT ON TABLES TO omni_costs_admin;
