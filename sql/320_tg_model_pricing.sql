-- When a price row arrives, the calls that were waiting for it (unpriced, or estimated for lack of a price)
-- are priced at once. Calls that already have a price row change only through reprice().
CREATE FUNCTION omni_costs.tg_model_pricing__price_waiting_calls()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  UPDATE model_usage u
     SET processing_cost_usd = (r.c).processing_cost_usd, cost_status = (r.c).cost_status,
         pricing_id = (r.c).pricing_id, pricing_match = (r.c).pricing_match, cost_note = (r.c).cost_note
    FROM (SELECT w.usage_id, w.occurred_at, price_of(w) AS c
            FROM model_usage w
           WHERE w.pricing_id IS NULL
             AND w.cost_status IN ('unpriced', 'estimated')
             AND EXISTS (SELECT FROM new_prices n WHERE n.provider = w.provider AND n.effective @> w.occurred_at)) r
   WHERE u.usage_id = r.usage_id AND u.occurred_at = r.occurred_at AND (r.c).pricing_id IS NOT NULL;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_pricing__price_waiting_calls() IS 'AFTER INSERT statement trigger on model_pricing: prices the calls of the same provider and time range that had no price row, so unknown costs become known as soon as a price exists.';
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
