-- price_usage(): decide a call's cost and status. Never fails for a missing price: the call is then
-- estimated (if a fallback rule exists) or unpriced, with a note that says why.
CREATE TYPE omni_costs.cost_result AS (
  processing_cost_usd numeric,
  cost_status omni_costs.cost_status,
  pricing_id bigint,
  pricing_match text,
  cost_note text
);
COMMENT ON TYPE omni_costs.cost_result IS 'Outcome of pricing one call: cost (USD), status, price row used, matched rule and a note.';

CREATE FUNCTION omni_costs.find_estimate(p_operation text, p_provider text, p_model text)
RETURNS omni_costs.cost_estimates
LANGUAGE sql STABLE
SET search_path = omni_costs, pg_temp
AS $$
  SELECT e.* FROM cost_estimates e
   WHERE e.operation = p_operation
     AND (e.provider IS NULL OR e.provider = p_provider)
     AND (e.model IS NULL OR e.model = p_model)
   ORDER BY (e.model IS NOT NULL) DESC, (e.provider IS NOT NULL) DESC
   LIMIT 1
$$;
COMMENT ON FUNCTION omni_costs.find_estimate(text, text, text) IS 'Most specific fallback estimate rule for an operation, provider and model (model rule over provider rule over operation rule); NULL when none.';

CREATE FUNCTION omni_costs.price_at(
  q omni_costs.usage_quantities, p_provider text, p_model text, p_service_tier text, p_operation text, p_at timestamptz,
  p_price omni_costs.model_pricing, p_match text)
RETURNS omni_costs.cost_result
LANGUAGE plpgsql STABLE
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  r omni_costs.cost_result;
  v_price omni_costs.model_pricing := p_price;
  v_match text := p_match;
  v_est omni_costs.cost_estimates;
  v_tokens_needed boolean;
  v_missing boolean;
  v_q omni_costs.usage_quantities := q;
BEGIN
  IF q.requests = 0 THEN
    r := ROW(0, 'not_billed', NULL, NULL, 'error response: providers do not bill it');
    RETURN r;
  END IF;
  IF p_service_tier = 'provisioned' THEN
    r := ROW(0, 'not_billed', NULL, NULL, 'provisioned throughput: billed by subscription, not per call');
    RETURN r;
  END IF;

  IF v_price.pricing_id IS NOT NULL THEN
    v_tokens_needed := num_nonnulls(v_price.input_usd_per_mtok, v_price.output_usd_per_mtok,
                                    v_price.input_audio_usd_per_mtok, v_price.input_image_usd_per_mtok) > 0;
    v_missing := (v_tokens_needed AND (q.input_tokens IS NULL OR q.output_tokens IS NULL))
              OR (v_price.audio_usd_per_hour IS NOT NULL AND q.audio_seconds IS NULL);
    IF NOT v_missing THEN
      r.processing_cost_usd := (SELECT trim_scale(coalesce(sum(l.amount_usd), 0)) FROM cost_lines(q, v_price) l);
      IF v_match LIKE '%+standard_tier' THEN
        r.cost_status := 'estimated';
        r.cost_note := format('no %s price for %s/%s: priced at the standard tier', p_service_tier, p_provider, p_model);
      ELSE
        r.cost_status := 'priced';
      END IF;
      r.pricing_id := v_price.pricing_id;
      r.pricing_match := v_match;
      RETURN r;
    END IF;
    -- The price is known but the usage is not: fill the unknown quantities from the estimate rule.
    v_est := find_estimate(p_operation, p_provider, v_price.model);
    IF v_est.estimate_id IS NOT NULL AND num_nonnulls(v_est.input_tokens, v_est.output_tokens, v_est.audio_seconds) > 0 THEN
      IF q.input_tokens IS NULL THEN
        v_q.input_tokens := coalesce(v_est.input_tokens, 0);
        v_q.input_audio_tokens := least(coalesce(v_est.input_audio_tokens, 0), v_q.input_tokens);
      END IF;
      v_q.output_tokens := coalesce(q.output_tokens, v_est.output_tokens, 0);
      v_q.audio_seconds := coalesce(q.audio_seconds, v_est.audio_seconds, 0);
      r.processing_cost_usd := (SELECT trim_scale(coalesce(sum(l.amount_usd), 0)) FROM cost_lines(v_q, v_price) l);
      r.cost_status := 'estimated';
      r.pricing_id := v_price.pricing_id;
      r.pricing_match := v_match;
      r.cost_note := format('usage missing: estimated with rule %s (%s)', v_est.estimate_id, v_est.note);
      RETURN r;
    END IF;
    IF v_est.usd_per_call IS NOT NULL THEN
      r := ROW(v_est.usd_per_call * q.requests, 'estimated', v_price.pricing_id, v_match,
               format('usage missing: flat estimate %s USD per call from rule %s (%s)', v_est.usd_per_call, v_est.estimate_id, v_est.note));
      RETURN r;
    END IF;
    r := ROW(NULL, 'unpriced', v_price.pricing_id, v_match,
             format('usage missing and no estimate rule for operation %s', p_operation));
    RETURN r;
  END IF;

  v_est := find_estimate(p_operation, p_provider, p_model);
  IF v_est.usd_per_call IS NOT NULL THEN
    r := ROW(v_est.usd_per_call * q.requests, 'estimated', NULL, NULL,
             format('no price for %s/%s at %s: flat estimate %s USD per call from rule %s (%s)',
                    p_provider, p_model, p_at, v_est.usd_per_call, v_est.estimate_id, v_est.note));
    RETURN r;
  END IF;
  r := ROW(NULL, 'unpriced', NULL, NULL, format('no price for %s/%s at %s', p_provider, p_model, p_at));
  RETURN r;
END
$$;
COMMENT ON FUNCTION omni_costs.price_at(omni_costs.usage_quantities, text, text, text, text, timestamptz, omni_costs.model_pricing, text) IS 'The decisions of price_usage() once the price row (p_price, NULL when none) and its rule (p_match) are resolved (resolve_price(), or record_usage() for many calls at once): cost, status, price row, rule and note. Never raises for a missing price.';

CREATE FUNCTION omni_costs.price_usage(
  q omni_costs.usage_quantities, p_provider text, p_model text, p_service_tier text, p_operation text, p_at timestamptz)
RETURNS omni_costs.cost_result
LANGUAGE sql STABLE
SET search_path = omni_costs, pg_temp
AS $$
  SELECT price_at(q, p_provider, p_model, p_service_tier, p_operation, p_at, r.price, r.match)
    FROM resolve_price(p_provider, p_model, p_service_tier, p_at, q.input_tokens) r
$$;
COMMENT ON FUNCTION omni_costs.price_usage(omni_costs.usage_quantities, text, text, text, text, timestamptz) IS 'Cost and status of one call: priced (price row x reported usage), estimated (price x estimated usage, a flat per-call fallback, or a standard-tier price for a tier without one), unpriced (cost NULL) or not_billed (errors, provisioned throughput: 0). Never raises for a missing price.';

CREATE FUNCTION omni_costs.quantities_of(u omni_costs.model_usage)
RETURNS omni_costs.usage_quantities
LANGUAGE sql IMMUTABLE
AS $$
  SELECT ROW(u.input_tokens, u.output_tokens, u.cached_input_tokens, u.cache_write_tokens, u.cache_write_1h_tokens,
             u.reasoning_tokens, u.input_audio_tokens, u.cached_input_audio_tokens, u.output_audio_tokens,
             u.input_image_tokens, u.web_search_requests, u.image_count, u.audio_seconds, u.requests)::omni_costs.usage_quantities
$$;
COMMENT ON FUNCTION omni_costs.quantities_of(omni_costs.model_usage) IS 'The billable quantities of a stored usage row.';

CREATE FUNCTION omni_costs.price_of(u omni_costs.model_usage)
RETURNS omni_costs.cost_result
LANGUAGE sql STABLE
AS $$
  SELECT omni_costs.price_usage(omni_costs.quantities_of(u), u.provider, u.model, u.service_tier, u.operation, u.occurred_at)
$$;
COMMENT ON FUNCTION omni_costs.price_of(omni_costs.model_usage) IS 'price_usage() of a stored usage row, at its occurred_at: what its cost would be with the prices in force now.';
