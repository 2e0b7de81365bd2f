-- When a price row arrives, the calls that were waiting for it (unpriced, or estimated for lack of a price)
-- are priced at once; calls still uncommitted at that moment are caught by the refresh job's sweep. Calls that already have a price row change only through reprice().
CREATE FUNCTION omni_costs.price_waiting_calls(p_providers text[], p_from timestamptz, p_until timestamptz)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_priced bigint;
BEGIN
  UPDATE model_usage u
     SET processing_cost_usd = (r.c).processing_cost_usd, cost_status = (r.c).cost_status,
         pricing_id = (r.c).pricing_id, pricing_match = (r.c).pricing_match, cost_note = (r.c).cost_note
    FROM (SELECT w.usage_id, w.occurred_at, price_of(w) AS c
            FROM model_usage w
           WHERE w.pricing_id IS NULL
             AND w.cost_status IN ('unpriced', 'estimated')
             AND (p_providers IS NULL OR w.provider = ANY (p_providers))
             AND w.occurred_at >= p_from AND w.occurred_at < p_until) r
   WHERE u.usage_id = r.usage_id AND u.occurred_at = r.occurred_at AND (r.c).pricing_id IS NOT NULL;
  GET DIAGNOSTICS v_priced = ROW_COUNT;
  RETURN v_priced;
END
$$;
COMMENT ON FUNCTION omni_costs.price_waiting_calls(text[], timestamptz, timestamptz) IS 'Prices the calls that had no price row (unpriced, or estimated for lack of a price) and now have one, for the given providers (NULL = all) and occurred_at range. Returns how many it priced. Called when prices arrive, and by the refresh job as a sweep for calls that were still uncommitted then.';

CREATE FUNCTION omni_costs.tg_model_pricing__price_waiting_calls()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM price_waiting_calls(array_agg(DISTINCT n.provider), min(lower(n.effective)),
                              max(coalesce(upper(n.effective), 'infinity')))
     FROM new_prices n
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_pricing__price_waiting_calls() IS 'AFTER INSERT statement trigger on model_pricing: prices the calls of the same providers and time range that had no price row, so unknown costs become known as soon as a price exists.';
CREATE TRIGGER _100_price_waiting_calls AFTER INSERT ON omni_costs.model_pricing
  REFERENCING NEW TABLE AS new_prices
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_pricing__price_waiting_calls();

CREATE FUNCTION omni_costs.tg_model_pricing__only_close_ranges()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF (to_jsonb(NEW) - 'effective' - 'note') IS DISTINCT FROM (to_jsonb(OLD) - 'effective' - 'note')
     OR lower(NEW.effective) IS DISTINCT FROM lower(OLD.effective)
     OR (NOT upper_inf(OLD.effective) AND upper(NEW.effective) > upper(OLD.effective))
     OR upper_inf(NEW.effective) AND NOT upper_inf(OLD.effective) THEN
    RAISE EXCEPTION 'price rows are never edited: only the end of a range may be moved earlier (pricing_id %)', OLD.pricing_id
      USING ERRCODE = '55000', HINT = 'Open a new range with omni pricing set.';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_pricing__only_close_ranges() IS 'BEFORE UPDATE row trigger on model_pricing: allows only closing a range (moving its end earlier) and editing its note; prices themselves are immutable.';
CREATE TRIGGER _100_only_close_ranges BEFORE UPDATE ON omni_costs.model_pricing
  FOR EACH ROW EXECUTE FUNCTION omni_costs.tg_model_pricing__only_close_ranges();

-- The other side of the race: a call inserted without a price while its price is being committed elsewhere.
-- At its own commit, a call that is still waiting is priced if a price is now visible. (Two commits at the
-- very same instant can still miss each other; the refresh job's sweep catches those.)
CREATE FUNCTION omni_costs.tg_model_usage__price_at_commit()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  r omni_costs.cost_result;
BEGIN
  r := price_of(NEW);
  IF r.pricing_id IS NOT NULL THEN
    UPDATE model_usage u
       SET processing_cost_usd = r.processing_cost_usd, cost_status = r.cost_status, pricing_id = r.pricing_id,
           pricing_match = r.pricing_match, cost_note = r.cost_note
     WHERE u.usage_id = NEW.usage_id AND u.occurred_at = NEW.occurred_at AND u.pricing_id IS NULL;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__price_at_commit() IS 'Deferred (commit-time) row trigger for calls inserted without a price row: prices them if a price committed meanwhile.';
CREATE CONSTRAINT TRIGGER _300_price_at_commit AFTER INSERT ON omni_costs.model_usage
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.pricing_id IS NULL AND NEW.cost_status IN ('unpriced', 'estimated'))
  EXECUTE FUNCTION omni_costs.tg_model_usage__price_at_commit();
