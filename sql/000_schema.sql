-- The omni_costs schema, its extensions and its three roles.
-- Roles are cluster-wide, so they are created only when missing; every object lives in schema omni_costs.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE SCHEMA IF NOT EXISTS omni_costs;
COMMENT ON SCHEMA omni_costs IS 'Cost tracking for model API calls: raw usage rows, prices with history, batch totals and daily rollups. All money is numeric USD.';

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omni_costs_writer') THEN
    CREATE ROLE omni_costs_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omni_costs_reader') THEN
    CREATE ROLE omni_costs_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omni_costs_admin') THEN
    CREATE ROLE omni_costs_admin NOLOGIN;
  END IF;
END
$$;
