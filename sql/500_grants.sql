-- Least privilege. Writers can only record calls (through record_usage); readers can only read the
-- reporting views; admins change prices through audited functions and read everything.
REVOKE ALL ON ALL TABLES IN SCHEMA omni_costs FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA omni_costs FROM PUBLIC;
REVOKE ALL ON SCHEMA omni_costs FROM PUBLIC;

GRANT USAGE ON SCHEMA omni_costs TO omni_costs_writer, omni_costs_reader, omni_costs_admin;

GRANT EXECUTE ON FUNCTION omni_costs.record_usage(jsonb) TO omni_costs_writer, omni_costs_admin;

GRANT SELECT ON omni_costs.usage_costs, omni_costs.message_costs, omni_costs.batch_costs, omni_costs.batch_jobs,
  omni_costs.daily_costs, omni_costs.daily_instance_costs, omni_costs.daily_model_costs, omni_costs.view_refreshes
  TO omni_costs_reader, omni_costs_admin;

GRANT SELECT ON ALL TABLES IN SCHEMA omni_costs TO omni_costs_admin;
GRANT INSERT, UPDATE ON omni_costs.batch_jobs TO omni_costs_admin;
GRANT EXECUTE ON FUNCTION omni_costs.refresh_rollups(), omni_costs.ensure_usage_partitions(date, date),
  omni_costs.resolve_price(text, text, text, timestamptz, integer), omni_costs.price_of(omni_costs.model_usage),
  omni_costs.price_usage(omni_costs.usage_quantities, text, text, text, text, timestamptz),
  omni_costs.cost_lines(omni_costs.usage_quantities, omni_costs.model_pricing),
  omni_costs.quantities_of(omni_costs.model_usage)
  TO omni_costs_admin;
