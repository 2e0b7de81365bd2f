-- cost_lines(): the arithmetic of one call's cost, one line per billed dimension. The trigger, reprice and
-- explain all use it, so "explain" shows exactly the sum that was stored.
CREATE TYPE omni_costs.usage_quantities AS (
  input_tokens integer,
  output_tokens integer,
  cached_input_tokens integer,
  cache_write_tokens integer,
  cache_write_1h_tokens integer,
  reasoning_tokens integer,
  input_audio_tokens integer,
  cached_input_audio_tokens integer,
  output_audio_tokens integer,
  input_image_tokens integer,
  web_search_requests integer,
  image_count integer,
  audio_seconds numeric,
  requests integer
);
COMMENT ON TYPE omni_costs.usage_quantities IS 'The billable quantities of one call (the usage columns of model_usage), as priced by cost_lines(). Tokens in tokens, audio in seconds.';

CREATE FUNCTION omni_costs.cost_lines(q omni_costs.usage_quantities, p omni_costs.model_pricing)
RETURNS TABLE (line text, quantity numeric, unit text, unit_price_usd numeric, amount_usd numeric)
LANGUAGE plpgsql IMMUTABLE
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_in bigint := coalesce(q.input_tokens, 0);
  v_cached bigint := coalesce(q.cached_input_tokens, 0);
  v_cached_audio bigint := coalesce(q.cached_input_audio_tokens, 0);
  v_write bigint := coalesce(q.cache_write_tokens, 0);
  v_write_1h bigint := least(coalesce(q.cache_write_1h_tokens, 0), v_write);
  v_audio_uncached bigint := greatest(coalesce(q.input_audio_tokens, 0) - v_cached_audio, 0);
  v_image bigint := coalesce(q.input_image_tokens, 0);
  v_out bigint := coalesce(q.output_tokens, 0);
  v_reasoning bigint := CASE WHEN p.reasoning_usd_per_mtok IS NULL THEN 0 ELSE coalesce(q.reasoning_tokens, 0) END;
  v_out_audio bigint := coalesce(q.output_audio_tokens, 0);
  v_billable numeric;
BEGIN
  IF p.input_usd_per_mtok IS NOT NULL OR p.input_audio_usd_per_mtok IS NOT NULL OR p.input_image_usd_per_mtok IS NOT NULL THEN
    line := 'input'; unit := 'token';
    quantity := greatest(v_in - v_cached - v_write - v_audio_uncached - v_image, 0);
    unit_price_usd := trim_scale(coalesce(p.input_usd_per_mtok, 0) / 1000000);
    amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    IF v_audio_uncached > 0 THEN
      line := 'input_audio'; quantity := v_audio_uncached;
      unit_price_usd := trim_scale(coalesce(p.input_audio_usd_per_mtok, p.input_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
    IF v_image > 0 THEN
      line := 'input_image'; quantity := v_image;
      unit_price_usd := trim_scale(coalesce(p.input_image_usd_per_mtok, p.input_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
    IF v_cached - v_cached_audio > 0 THEN
      line := 'cache_read'; quantity := v_cached - v_cached_audio;
      unit_price_usd := trim_scale(coalesce(p.cached_input_usd_per_mtok, p.input_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
    IF v_cached_audio > 0 THEN
      line := 'cache_read_audio'; quantity := v_cached_audio;
      unit_price_usd := trim_scale(coalesce(p.cached_input_audio_usd_per_mtok, p.cached_input_usd_per_mtok,
                                 p.input_audio_usd_per_mtok, p.input_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
    IF v_write - v_write_1h > 0 THEN
      line := 'cache_write_5m'; quantity := v_write - v_write_1h;
      unit_price_usd := trim_scale(coalesce(p.cache_write_5m_usd_per_mtok, p.input_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
    IF v_write_1h > 0 THEN
      line := 'cache_write_1h'; quantity := v_write_1h;
      unit_price_usd := trim_scale(coalesce(p.cache_write_1h_usd_per_mtok, p.cache_write_5m_usd_per_mtok, p.input_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
  END IF;
  IF p.output_usd_per_mtok IS NOT NULL OR p.output_audio_usd_per_mtok IS NOT NULL THEN
    line := 'output'; unit := 'token';
    quantity := greatest(v_out - v_reasoning - v_out_audio, 0);
    unit_price_usd := trim_scale(coalesce(p.output_usd_per_mtok, 0) / 1000000);
    amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    IF v_reasoning > 0 THEN
      line := 'reasoning'; quantity := v_reasoning;
      unit_price_usd := trim_scale(p.reasoning_usd_per_mtok / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
    IF v_out_audio > 0 THEN
      line := 'output_audio'; quantity := v_out_audio;
      unit_price_usd := trim_scale(coalesce(p.output_audio_usd_per_mtok, p.output_usd_per_mtok, 0) / 1000000);
      amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
    END IF;
  END IF;
  IF p.audio_usd_per_hour IS NOT NULL AND q.audio_seconds IS NOT NULL AND coalesce(q.requests, 1) > 0 THEN
    v_billable := greatest(q.audio_seconds, p.audio_min_seconds);
    IF p.audio_increment_seconds IS NOT NULL THEN
      v_billable := ceil(v_billable / p.audio_increment_seconds) * p.audio_increment_seconds;
    END IF;
    line := 'audio_duration'; unit := 'second'; quantity := v_billable;
    unit_price_usd := trim_scale(p.audio_usd_per_hour / 3600);
    -- per-hour rates divided by 3600 repeat forever: the line is rounded to 1e-12 USD, and only this line.
    amount_usd := trim_scale(round(v_billable * p.audio_usd_per_hour / 3600, 12)); RETURN NEXT;
  END IF;
  IF p.usd_per_image IS NOT NULL AND coalesce(q.image_count, 0) > 0 THEN
    line := 'images'; unit := 'image'; quantity := q.image_count; unit_price_usd := trim_scale(p.usd_per_image);
    amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
  END IF;
  IF p.usd_per_request IS NOT NULL AND coalesce(q.requests, 0) > 0 THEN
    line := 'requests'; unit := 'request'; quantity := q.requests; unit_price_usd := trim_scale(p.usd_per_request);
    amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
  END IF;
  IF p.web_search_usd_per_kcall IS NOT NULL AND coalesce(q.web_search_requests, 0) > 0 THEN
    line := 'web_search'; unit := 'call'; quantity := q.web_search_requests;
    unit_price_usd := trim_scale(p.web_search_usd_per_kcall / 1000);
    amount_usd := trim_scale(quantity * unit_price_usd); RETURN NEXT;
  END IF;
END
$$;
COMMENT ON FUNCTION omni_costs.cost_lines(omni_costs.usage_quantities, omni_costs.model_pricing) IS 'Cost of one call at one price row, one line per billed dimension: line name, quantity (tokens, seconds after minimum and rounding, images, requests, calls), unit, USD per unit, amount USD. Token lines are exact; the audio-duration line is rounded to 1e-12 USD. The call cost is the sum of amount_usd.';

-- call_cost_usd(): the sum of cost_lines() as one SQL expression over plain columns, for record_usage(),
-- which prices many calls per statement: inlined into the calling query, no function call or composite
-- per row (cost_lines() itself stays the one that explains a cost line by line; tests hold the two equal).
CREATE FUNCTION omni_costs.call_cost_usd(
  q_input integer, q_output integer, q_cached_input integer, q_cache_write integer, q_cache_write_1h integer,
  q_reasoning integer, q_input_audio integer, q_cached_input_audio integer, q_output_audio integer,
  q_input_image integer, q_web_search integer, q_images integer, q_audio_seconds numeric, q_requests integer,
  p_input numeric, p_cached_input numeric, p_cache_write_5m numeric, p_cache_write_1h numeric, p_output numeric,
  p_reasoning numeric, p_input_audio numeric, p_cached_input_audio numeric, p_output_audio numeric,
  p_input_image numeric, p_audio_per_hour numeric, p_audio_min_seconds numeric, p_audio_increment_seconds numeric,
  p_per_image numeric, p_per_request numeric, p_web_search_per_kcall numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT trim_scale(
    CASE WHEN p_input IS NOT NULL OR p_input_audio IS NOT NULL OR p_input_image IS NOT NULL THEN
        greatest(coalesce(q_input, 0)::bigint - coalesce(q_cached_input, 0) - coalesce(q_cache_write, 0)
                 - greatest(coalesce(q_input_audio, 0)::bigint - coalesce(q_cached_input_audio, 0), 0)
                 - coalesce(q_input_image, 0), 0) * trim_scale(coalesce(p_input, 0) / 1000000)
      + greatest(coalesce(q_input_audio, 0)::bigint - coalesce(q_cached_input_audio, 0), 0)
          * trim_scale(coalesce(p_input_audio, p_input, 0) / 1000000)
      + greatest(coalesce(q_input_image, 0), 0) * trim_scale(coalesce(p_input_image, p_input, 0) / 1000000)
      + greatest(coalesce(q_cached_input, 0)::bigint - coalesce(q_cached_input_audio, 0), 0)
          * trim_scale(coalesce(p_cached_input, p_input, 0) / 1000000)
      + greatest(coalesce(q_cached_input_audio, 0), 0)
          * trim_scale(coalesce(p_cached_input_audio, p_cached_input, p_input_audio, p_input, 0) / 1000000)
      + greatest(coalesce(q_cache_write, 0)::bigint - least(coalesce(q_cache_write_1h, 0), coalesce(q_cache_write, 0)), 0)
          * trim_scale(coalesce(p_cache_write_5m, p_input, 0) / 1000000)
      + greatest(least(coalesce(q_cache_write_1h, 0), coalesce(q_cache_write, 0)), 0)
          * trim_scale(coalesce(p_cache_write_1h, p_cache_write_5m, p_input, 0) / 1000000)
    ELSE 0 END
  + CASE WHEN p_output IS NOT NULL OR p_output_audio IS NOT NULL THEN
        greatest(coalesce(q_output, 0)::bigint - CASE WHEN p_reasoning IS NULL THEN 0 ELSE coalesce(q_reasoning, 0) END
                 - coalesce(q_output_audio, 0), 0) * trim_scale(coalesce(p_output, 0) / 1000000)
      + CASE WHEN p_reasoning IS NOT NULL AND coalesce(q_reasoning, 0) > 0
             THEN q_reasoning * trim_scale(p_reasoning / 1000000) ELSE 0 END
      + greatest(coalesce(q_output_audio, 0), 0) * trim_scale(coalesce(p_output_audio, p_output, 0) / 1000000)
    ELSE 0 END
  + CASE WHEN p_audio_per_hour IS NOT NULL AND q_audio_seconds IS NOT NULL AND coalesce(q_requests, 1) > 0 THEN
        trim_scale(round(CASE WHEN p_audio_increment_seconds IS NULL THEN greatest(q_audio_seconds, p_audio_min_seconds)
                              ELSE ceil(greatest(q_audio_seconds, p_audio_min_seconds) / p_audio_increment_seconds)
                                   * p_audio_increment_seconds END * p_audio_per_hour / 3600, 12))
    ELSE 0 END
  + CASE WHEN p_per_image IS NOT NULL AND coalesce(q_images, 0) > 0 THEN q_images * trim_scale(p_per_image) ELSE 0 END
  + CASE WHEN p_per_request IS NOT NULL AND coalesce(q_requests, 0) > 0 THEN q_requests * trim_scale(p_per_request) ELSE 0 END
  + CASE WHEN p_web_search_per_kcall IS NOT NULL AND coalesce(q_web_search, 0) > 0
         THEN q_web_search * trim_scale(p_web_search_per_kcall / 1000) ELSE 0 END)
$$;
COMMENT ON FUNCTION omni_costs.call_cost_usd(integer, integer, integer, integer, integer, integer, integer, integer, integer, integer, integer, integer, numeric, integer, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric) IS 'Cost of one call in USD: exactly the sum of cost_lines() for the same quantities (q_*, as in usage_quantities: tokens, calls, images, seconds, requests) and price columns (p_*, as in model_pricing), written as one SQL expression that the planner inlines into record_usage(). Not for explaining a cost: cost_lines() gives its lines.';
