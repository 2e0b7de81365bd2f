-- Price administration. Prices are never edited and never deleted: a change closes one range and opens
-- another, and every change is written to price_changes with the session role and the reason.
--   set_price()     opens a price range, closing the range in force at its start.
--   reprice()       recomputes already-priced calls after a backdated correction (dry run: the same deltas).
--   explain_cost()  shows how one call's cost was computed, line by line.
--   price_history   model_pricing with readable columns.
--   pricing_gaps    models used without a price, and holes in a price history.

CREATE VIEW omni_costs.price_history AS
SELECT p.pricing_id, p.provider, p.model, p.service_tier, p.min_input_tokens,
       lower(p.effective) AS effective_from, upper(p.effective) AS effective_until,
       p.effective @> now() AS in_force,
       p.input_usd_per_mtok, p.cached_input_usd_per_mtok, p.cache_write_5m_usd_per_mtok, p.cache_write_1h_usd_per_mtok,
       p.output_usd_per_mtok, p.reasoning_usd_per_mtok, p.input_audio_usd_per_mtok, p.cached_input_audio_usd_per_mtok,
       p.output_audio_usd_per_mtok, p.input_image_usd_per_mtok, p.audio_usd_per_hour, p.audio_min_seconds,
       p.audio_increment_seconds, p.usd_per_image, p.usd_per_request, p.web_search_usd_per_kcall,
       p.source, p.checked_on, p.note, p.created_at, p.created_by
  FROM omni_costs.model_pricing p;
COMMENT ON VIEW omni_costs.price_history IS 'Every price row with its range split into effective_from / effective_until (NULL = still in force) and whether it is in force now. Token prices are USD per 1,000,000 tokens; see model_pricing for each column''s NULL fallback.';
COMMENT ON COLUMN omni_costs.price_history.pricing_id IS 'Price row id (model_usage.pricing_id points here).';
COMMENT ON COLUMN omni_costs.price_history.provider IS 'Canonical provider id.';
COMMENT ON COLUMN omni_costs.price_history.model IS 'Canonical model id the price applies to.';
COMMENT ON COLUMN omni_costs.price_history.service_tier IS 'Rate card: standard, batch, flex, priority.';
COMMENT ON COLUMN omni_costs.price_history.min_input_tokens IS 'Prompt-size tier, tokens, inclusive (0 = base tier); a higher tier reprices the whole request.';
COMMENT ON COLUMN omni_costs.price_history.effective_from IS 'Start of the range, inclusive.';
COMMENT ON COLUMN omni_costs.price_history.effective_until IS 'End of the range, exclusive; NULL = still in force.';
COMMENT ON COLUMN omni_costs.price_history.in_force IS 'True when the range contains the current time.';
COMMENT ON COLUMN omni_costs.price_history.input_usd_per_mtok IS 'USD per 1M uncached input tokens.';
COMMENT ON COLUMN omni_costs.price_history.cached_input_usd_per_mtok IS 'USD per 1M input tokens read from cache (NULL = input rate).';
COMMENT ON COLUMN omni_costs.price_history.cache_write_5m_usd_per_mtok IS 'USD per 1M tokens written to a 5-minute cache (NULL = input rate).';
COMMENT ON COLUMN omni_costs.price_history.cache_write_1h_usd_per_mtok IS 'USD per 1M tokens written to a 1-hour cache (NULL = 5-minute write rate).';
COMMENT ON COLUMN omni_costs.price_history.output_usd_per_mtok IS 'USD per 1M output tokens.';
COMMENT ON COLUMN omni_costs.price_history.reasoning_usd_per_mtok IS 'USD per 1M reasoning tokens (NULL = output rate).';
COMMENT ON COLUMN omni_costs.price_history.input_audio_usd_per_mtok IS 'USD per 1M uncached input audio tokens (NULL = input rate).';
COMMENT ON COLUMN omni_costs.price_history.cached_input_audio_usd_per_mtok IS 'USD per 1M cached input audio tokens (NULL = cached input rate).';
COMMENT ON COLUMN omni_costs.price_history.output_audio_usd_per_mtok IS 'USD per 1M output audio tokens (NULL = output rate).';
COMMENT ON COLUMN omni_costs.price_history.input_image_usd_per_mtok IS 'USD per 1M input image tokens (NULL = input rate).';
COMMENT ON COLUMN omni_costs.price_history.audio_usd_per_hour IS 'USD per hour of audio for duration-billed models.';
COMMENT ON COLUMN omni_costs.price_history.audio_min_seconds IS 'Minimum billable seconds per request, seconds (0 = none).';
COMMENT ON COLUMN omni_costs.price_history.audio_increment_seconds IS 'Billable seconds are rounded up to a multiple of this, seconds (NULL = exact).';
COMMENT ON COLUMN omni_costs.price_history.usd_per_image IS 'USD per generated image.';
COMMENT ON COLUMN omni_costs.price_history.usd_per_request IS 'USD per billable request.';
COMMENT ON COLUMN omni_costs.price_history.web_search_usd_per_kcall IS 'USD per 1,000 web search or grounding calls.';
COMMENT ON COLUMN omni_costs.price_history.source IS 'Where the price comes from.';
COMMENT ON COLUMN omni_costs.price_history.checked_on IS 'Date the price was last checked against its source.';
COMMENT ON COLUMN omni_costs.price_history.note IS 'Reason for the change, caveats.';
COMMENT ON COLUMN omni_costs.price_history.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN omni_costs.price_history.created_by IS 'Database role that inserted the row.';

CREATE VIEW omni_costs.pricing_gaps AS
SELECT 'unpriced_model'::text AS kind, u.provider, u.model, NULL::text AS service_tier, NULL::integer AS min_input_tokens,
       count(*) AS calls, min(u.occurred_at) AS first_seen, max(u.occurred_at) AS last_seen,
       NULL::timestamptz AS gap_from, NULL::timestamptz AS gap_until
  FROM omni_costs.model_usage u
 WHERE u.pricing_id IS NULL AND u.cost_status IN ('unpriced', 'estimated')
 GROUP BY u.provider, u.model
UNION ALL
SELECT 'history_hole', k.provider, k.model, k.service_tier, k.min_input_tokens, NULL, NULL, NULL,
       lower(h.hole), upper(h.hole)
  FROM (SELECT p.provider, p.model, p.service_tier, p.min_input_tokens, range_agg(p.effective) AS covered
          FROM omni_costs.model_pricing p
         GROUP BY p.provider, p.model, p.service_tier, p.min_input_tokens) k
 CROSS JOIN LATERAL unnest(multirange(range_merge(k.covered)) - k.covered) AS h(hole);
COMMENT ON VIEW omni_costs.pricing_gaps IS 'What lacks a price. kind unpriced_model: a (provider, model as recorded) with calls that found no price row at their occurred_at (unpriced, or estimated by a flat fallback), with the number of calls and first/last seen. kind history_hole: a time range with no price between the first and the last price range of one (provider, model, service tier, prompt-size tier).';
COMMENT ON COLUMN omni_costs.pricing_gaps.kind IS 'unpriced_model or history_hole.';
COMMENT ON COLUMN omni_costs.pricing_gaps.provider IS 'Provider id.';
COMMENT ON COLUMN omni_costs.pricing_gaps.model IS 'unpriced_model: the model as recorded on the calls; history_hole: the priced model.';
COMMENT ON COLUMN omni_costs.pricing_gaps.service_tier IS 'history_hole: the rate card with the hole; NULL for unpriced_model.';
COMMENT ON COLUMN omni_costs.pricing_gaps.min_input_tokens IS 'history_hole: the prompt-size tier with the hole, tokens; NULL for unpriced_model.';
COMMENT ON COLUMN omni_costs.pricing_gaps.calls IS 'unpriced_model: calls without a price row; NULL for history_hole.';
COMMENT ON COLUMN omni_costs.pricing_gaps.first_seen IS 'unpriced_model: occurred_at of the first such call.';
COMMENT ON COLUMN omni_costs.pricing_gaps.last_seen IS 'unpriced_model: occurred_at of the last such call.';
COMMENT ON COLUMN omni_costs.pricing_gaps.gap_from IS 'history_hole: start of the hole, inclusive.';
COMMENT ON COLUMN omni_costs.pricing_gaps.gap_until IS 'history_hole: end of the hole, exclusive.';

CREATE FUNCTION omni_costs.price_json(p omni_costs.model_pricing)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
  SELECT jsonb_build_object(
    'pricing_id', p.pricing_id, 'provider', p.provider, 'model', p.model, 'service_tier', p.service_tier,
    'min_input_tokens', p.min_input_tokens, 'effective_from', lower(p.effective), 'effective_until', upper(p.effective),
    'input_usd_per_mtok', p.input_usd_per_mtok::text, 'cached_input_usd_per_mtok', p.cached_input_usd_per_mtok::text,
    'cache_write_5m_usd_per_mtok', p.cache_write_5m_usd_per_mtok::text,
    'cache_write_1h_usd_per_mtok', p.cache_write_1h_usd_per_mtok::text,
    'output_usd_per_mtok', p.output_usd_per_mtok::text, 'reasoning_usd_per_mtok', p.reasoning_usd_per_mtok::text,
    'input_audio_usd_per_mtok', p.input_audio_usd_per_mtok::text,
    'cached_input_audio_usd_per_mtok', p.cached_input_audio_usd_per_mtok::text,
    'output_audio_usd_per_mtok', p.output_audio_usd_per_mtok::text,
    'input_image_usd_per_mtok', p.input_image_usd_per_mtok::text, 'audio_usd_per_hour', p.audio_usd_per_hour::text,
    'audio_min_seconds', p.audio_min_seconds::text, 'audio_increment_seconds', p.audio_increment_seconds::text,
    'usd_per_image', p.usd_per_image::text, 'usd_per_request', p.usd_per_request::text,
    'web_search_usd_per_kcall', p.web_search_usd_per_kcall::text,
    'source', p.source, 'checked_on', p.checked_on, 'note', p.note)
$$;
COMMENT ON FUNCTION omni_costs.price_json(omni_costs.model_pricing) IS 'A price row as JSON for audit details and explain_cost(): the range split into effective_from / effective_until, and every price as a decimal STRING (a JSON number would pass through a binary float in most clients).';

CREATE FUNCTION omni_costs.set_price(
  p_provider text, p_model text, p_from timestamptz, p_prices jsonb,
  p_until timestamptz DEFAULT NULL, p_service_tier text DEFAULT 'standard', p_min_input_tokens integer DEFAULT 0,
  p_reason text DEFAULT NULL, p_source text DEFAULT 'cli', p_checked_on date DEFAULT NULL)
RETURNS TABLE (action text, pricing_id bigint, effective_from timestamptz, effective_until timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_columns text[] := ARRAY['input_usd_per_mtok', 'cached_input_usd_per_mtok', 'cache_write_5m_usd_per_mtok',
    'cache_write_1h_usd_per_mtok', 'output_usd_per_mtok', 'reasoning_usd_per_mtok', 'input_audio_usd_per_mtok',
    'cached_input_audio_usd_per_mtok', 'output_audio_usd_per_mtok', 'input_image_usd_per_mtok', 'audio_usd_per_hour',
    'audio_min_seconds', 'audio_increment_seconds', 'usd_per_image', 'usd_per_request', 'web_search_usd_per_kcall'];
  v_unknown text;
  v_range tstzrange;
  v_given model_pricing;
  v_cur model_pricing;
  v_conflict model_pricing;
  v_tail model_pricing;
  v_new model_pricing;
  v_key text;
BEGIN
  IF coalesce(btrim(p_provider), '') = '' OR coalesce(btrim(p_model), '') = '' THEN
    RAISE EXCEPTION 'set_price needs a provider and a model' USING ERRCODE = '22023';
  END IF;
  IF p_from IS NULL THEN
    RAISE EXCEPTION 'set_price needs the start of the range (p_from)' USING ERRCODE = '22023';
  END IF;
  IF p_until IS NOT NULL AND p_until <= p_from THEN
    RAISE EXCEPTION 'the end of the range (%) must be after its start (%)', p_until, p_from USING ERRCODE = '22023';
  END IF;
  IF p_prices IS NULL OR jsonb_typeof(p_prices) <> 'object' THEN
    RAISE EXCEPTION 'p_prices must be a JSON object of price columns, e.g. {"input_usd_per_mtok": "2.50"}'
      USING ERRCODE = '22023';
  END IF;
  SELECT string_agg(k, ', ' ORDER BY k) INTO v_unknown FROM jsonb_object_keys(p_prices) k WHERE k <> ALL (v_columns);
  IF v_unknown IS NOT NULL THEN
    RAISE EXCEPTION 'unknown price column(s): %', v_unknown USING ERRCODE = '22023',
      HINT = 'allowed: ' || array_to_string(v_columns, ', ');
  END IF;
  v_given := jsonb_populate_record(NULL::model_pricing, p_prices);
  v_range := tstzrange(p_from, p_until, '[)');
  v_key := format('%s/%s (tier %s, min_input_tokens %s)', p_provider, p_model, coalesce(p_service_tier, 'standard'),
                  coalesce(p_min_input_tokens, 0));

  -- One price change at a time: the checks below must still hold when the rows are written.
  LOCK TABLE model_pricing IN SHARE ROW EXCLUSIVE MODE;

  SELECT * INTO v_cur FROM model_pricing p
   WHERE p.provider = p_provider AND p.model = p_model AND p.service_tier = coalesce(p_service_tier, 'standard')
     AND p.min_input_tokens = coalesce(p_min_input_tokens, 0) AND p.effective @> p_from;
  IF FOUND AND lower(v_cur.effective) = p_from THEN
    RAISE EXCEPTION 'the range % of % overlaps pricing_id % %, which starts at the same instant', v_range, v_key,
      v_cur.pricing_id, v_cur.effective USING ERRCODE = '23P01',
      HINT = 'Price rows are never edited or deleted, so a range cannot be replaced from its own start. Start the new price later.';
  END IF;
  SELECT * INTO v_conflict FROM model_pricing p
   WHERE p.provider = p_provider AND p.model = p_model AND p.service_tier = coalesce(p_service_tier, 'standard')
     AND p.min_input_tokens = coalesce(p_min_input_tokens, 0) AND p.effective && v_range
     AND p.pricing_id IS DISTINCT FROM v_cur.pricing_id
   ORDER BY lower(p.effective)
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'the range % of % overlaps pricing_id % %', v_range, v_key, v_conflict.pricing_id,
      v_conflict.effective USING ERRCODE = '23P01',
      HINT = format('End the new range at or before %s, or start it inside pricing_id %s to close that range there.',
                    lower(v_conflict.effective), v_conflict.pricing_id);
  END IF;

  IF v_cur.pricing_id IS NOT NULL THEN
    -- A new range inside the current one: the current prices continue after it, in a row of their own.
    IF p_until IS NOT NULL AND (upper_inf(v_cur.effective) OR upper(v_cur.effective) > p_until) THEN
      v_tail := v_cur;
      v_tail.effective := tstzrange(p_until, upper(v_cur.effective), '[)');
    END IF;
    UPDATE model_pricing p SET effective = tstzrange(lower(p.effective), p_from, '[)')
     WHERE p.pricing_id = v_cur.pricing_id;
    INSERT INTO price_changes (changed_by, action, pricing_id, provider, model, reason, detail)
    VALUES (session_user, 'close', v_cur.pricing_id, p_provider, p_model, p_reason,
            jsonb_build_object('service_tier', v_cur.service_tier, 'min_input_tokens', v_cur.min_input_tokens,
                               'old', jsonb_build_object('effective_from', lower(v_cur.effective), 'effective_until', upper(v_cur.effective)),
                               'new', jsonb_build_object('effective_from', lower(v_cur.effective), 'effective_until', p_from)));
    action := 'close'; pricing_id := v_cur.pricing_id;
    effective_from := lower(v_cur.effective); effective_until := p_from;
    RETURN NEXT;
  END IF;

  INSERT INTO model_pricing AS p (provider, model, service_tier, min_input_tokens, effective, input_usd_per_mtok,
    cached_input_usd_per_mtok, cache_write_5m_usd_per_mtok, cache_write_1h_usd_per_mtok, output_usd_per_mtok,
    reasoning_usd_per_mtok, input_audio_usd_per_mtok, cached_input_audio_usd_per_mtok, output_audio_usd_per_mtok,
    input_image_usd_per_mtok, audio_usd_per_hour, audio_min_seconds, audio_increment_seconds, usd_per_image,
    usd_per_request, web_search_usd_per_kcall, source, checked_on, note, created_by)
  VALUES (p_provider, p_model, coalesce(p_service_tier, 'standard'), coalesce(p_min_input_tokens, 0), v_range,
    v_given.input_usd_per_mtok, v_given.cached_input_usd_per_mtok, v_given.cache_write_5m_usd_per_mtok,
    v_given.cache_write_1h_usd_per_mtok, v_given.output_usd_per_mtok, v_given.reasoning_usd_per_mtok,
    v_given.input_audio_usd_per_mtok, v_given.cached_input_audio_usd_per_mtok, v_given.output_audio_usd_per_mtok,
    v_given.input_image_usd_per_mtok, v_given.audio_usd_per_hour, coalesce(v_given.audio_min_seconds, 0),
    v_given.audio_increment_seconds, v_given.usd_per_image, v_given.usd_per_request, v_given.web_search_usd_per_kcall,
    coalesce(p_source, 'cli'), p_checked_on, p_reason, session_user)
  RETURNING p.* INTO v_new;
  INSERT INTO price_changes (changed_by, action, pricing_id, provider, model, reason, detail)
  VALUES (session_user, 'open', v_new.pricing_id, p_provider, p_model, p_reason,
          jsonb_build_object('replaces', v_cur.pricing_id, 'new', price_json(v_new)));
  action := 'open'; pricing_id := v_new.pricing_id;
  effective_from := lower(v_new.effective); effective_until := upper(v_new.effective);
  RETURN NEXT;

  IF v_tail.pricing_id IS NOT NULL THEN
    INSERT INTO model_pricing AS p (provider, model, service_tier, min_input_tokens, effective, input_usd_per_mtok,
      cached_input_usd_per_mtok, cache_write_5m_usd_per_mtok, cache_write_1h_usd_per_mtok, output_usd_per_mtok,
      reasoning_usd_per_mtok, input_audio_usd_per_mtok, cached_input_audio_usd_per_mtok, output_audio_usd_per_mtok,
      input_image_usd_per_mtok, audio_usd_per_hour, audio_min_seconds, audio_increment_seconds, usd_per_image,
      usd_per_request, web_search_usd_per_kcall, source, checked_on, note, created_by)
    VALUES (v_tail.provider, v_tail.model, v_tail.service_tier, v_tail.min_input_tokens, v_tail.effective,
      v_tail.input_usd_per_mtok, v_tail.cached_input_usd_per_mtok, v_tail.cache_write_5m_usd_per_mtok,
      v_tail.cache_write_1h_usd_per_mtok, v_tail.output_usd_per_mtok, v_tail.reasoning_usd_per_mtok,
      v_tail.input_audio_usd_per_mtok, v_tail.cached_input_audio_usd_per_mtok, v_tail.output_audio_usd_per_mtok,
      v_tail.input_image_usd_per_mtok, v_tail.audio_usd_per_hour, v_tail.audio_min_seconds,
      v_tail.audio_increment_seconds, v_tail.usd_per_image, v_tail.usd_per_request, v_tail.web_search_usd_per_kcall,
      v_tail.source, v_tail.checked_on,
      format('prices of pricing_id %s, continued after the range of pricing_id %s', v_cur.pricing_id, v_new.pricing_id),
      session_user)
    RETURNING p.* INTO v_new;
    INSERT INTO price_changes (changed_by, action, pricing_id, provider, model, reason, detail)
    VALUES (session_user, 'open', v_new.pricing_id, p_provider, p_model, p_reason,
            jsonb_build_object('continues', v_cur.pricing_id, 'new', price_json(v_new)));
    action := 'open'; pricing_id := v_new.pricing_id;
    effective_from := lower(v_new.effective); effective_until := upper(v_new.effective);
    RETURN NEXT;
  END IF;
END
$$;
COMMENT ON FUNCTION omni_costs.set_price(text, text, timestamptz, jsonb, timestamptz, text, integer, text, text, date) IS 'Opens a price range [p_from, p_until) for (provider, model, service tier, prompt-size tier) with the prices of p_prices (JSON object: price column -> decimal string). The range in force at p_from, if it started earlier, is closed at p_from; if it reached beyond p_until, its prices continue from p_until in a new row. Refuses (SQLSTATE 23P01) any other overlap, naming the conflicting pricing_id and range. Every close and open is written to price_changes with session_user and p_reason. Returns the rows closed and opened. Calls already priced keep their cost until reprice(); unpriced calls of the range are priced at once.';

CREATE FUNCTION omni_costs.reprice(
  p_provider text DEFAULT NULL, p_model text DEFAULT NULL, p_since timestamptz DEFAULT NULL,
  p_until timestamptz DEFAULT NULL, p_reason text DEFAULT NULL, p_dry_run boolean DEFAULT true)
RETURNS TABLE (kind text, day date, batch_job_id uuid, rows_changed bigint, old_total_usd numeric,
               new_total_usd numeric, delta_usd numeric, run_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_dry boolean := coalesce(p_dry_run, true);
  v_run bigint;
  v_rows bigint;
  v_old numeric;
  v_new numeric;
BEGIN
  IF NOT v_dry AND coalesce(btrim(p_reason), '') = '' THEN
    RAISE EXCEPTION 'a reprice changes recorded costs: give a reason (it is kept in reprice_runs)' USING ERRCODE = '22023';
  END IF;
  IF p_since IS NOT NULL AND p_until IS NOT NULL AND p_until <= p_since THEN
    RAISE EXCEPTION 'p_until (%) must be after p_since (%)', p_until, p_since USING ERRCODE = '22023';
  END IF;
  -- No price may change while the new costs are computed and written (the dry run sees the same prices).
  LOCK TABLE model_pricing IN SHARE MODE;

  DROP TABLE IF EXISTS pg_temp.reprice_delta;
  CREATE TEMP TABLE reprice_delta ON COMMIT DROP AS
  SELECT u.usage_id, u.occurred_at, u.batch_job_id, u.processing_cost_usd AS old_cost,
         (c.r).processing_cost_usd AS new_cost, (c.r).cost_status AS new_status, (c.r).pricing_id AS new_pricing_id,
         (c.r).pricing_match AS new_match, (c.r).cost_note AS new_note
    FROM model_usage u
   CROSS JOIN LATERAL (SELECT price_of(u) AS r OFFSET 0) c
   WHERE u.pricing_id IS NOT NULL
     AND (p_provider IS NULL OR u.provider = p_provider)
     AND (p_since IS NULL OR u.occurred_at >= p_since)
     AND (p_until IS NULL OR u.occurred_at < p_until)
     AND (p_model IS NULL OR u.model = p_model
          OR EXISTS (SELECT FROM model_pricing p WHERE p.pricing_id = u.pricing_id AND p.model = p_model))
     AND ROW((c.r).processing_cost_usd, (c.r).cost_status, (c.r).pricing_id, (c.r).pricing_match, (c.r).cost_note)
         IS DISTINCT FROM ROW(u.processing_cost_usd, u.cost_status, u.pricing_id, u.pricing_match, u.cost_note);

  SELECT count(*), coalesce(sum(d.old_cost), 0), coalesce(sum(d.new_cost), 0) INTO v_rows, v_old, v_new
    FROM pg_temp.reprice_delta d;

  IF NOT v_dry THEN
    -- The model_usage update trigger moves the batch totals and marks the UTC days for the next rollup refresh.
    UPDATE model_usage u
       SET processing_cost_usd = d.new_cost, cost_status = d.new_status, pricing_id = d.new_pricing_id,
           pricing_match = d.new_match, cost_note = d.new_note
      FROM pg_temp.reprice_delta d
     WHERE u.usage_id = d.usage_id AND u.occurred_at = d.occurred_at;
    INSERT INTO reprice_runs (ran_by, reason, scope, rows_changed, old_total_usd, new_total_usd)
    VALUES (session_user, p_reason,
            jsonb_build_object('provider', p_provider, 'model', p_model, 'since', p_since, 'until', p_until),
            v_rows, v_old, v_new)
    RETURNING reprice_runs.run_id INTO v_run;
  END IF;

  RETURN QUERY
  SELECT x.kind, x.day, x.batch_job_id, x.rows_changed, x.old_total_usd, x.new_total_usd,
         x.new_total_usd - x.old_total_usd, x.run_id
    FROM (SELECT 'day'::text AS kind, 1 AS o, (d.occurred_at AT TIME ZONE 'UTC')::date AS day, NULL::uuid AS batch_job_id,
                 count(*) AS rows_changed, coalesce(sum(d.old_cost), 0) AS old_total_usd,
                 coalesce(sum(d.new_cost), 0) AS new_total_usd, NULL::bigint AS run_id
            FROM pg_temp.reprice_delta d GROUP BY 3
          UNION ALL
          SELECT 'batch', 2, NULL, d.batch_job_id, count(*), coalesce(sum(d.old_cost), 0), coalesce(sum(d.new_cost), 0), NULL
            FROM pg_temp.reprice_delta d WHERE d.batch_job_id IS NOT NULL GROUP BY d.batch_job_id
          UNION ALL
          SELECT 'total', 3, NULL, NULL, v_rows, v_old, v_new, v_run) x
   ORDER BY x.o, x.day, x.batch_job_id;
END
$$;
COMMENT ON FUNCTION omni_costs.reprice(text, text, timestamptz, timestamptz, text, boolean) IS 'Recomputes the cost of calls that already have a price row (price_of() at their occurred_at, with the prices in force now), filtered by provider, model (as recorded or as priced) and occurred_at in [p_since, p_until). Returns the rows that would change or changed, per UTC day, per batch and in total: old and new total USD and the delta. p_dry_run (the default) writes nothing; a real run updates the rows (the update trigger moves batch totals and marks rollup days dirty) and inserts a reprice_runs row with session_user and p_reason (required). Both compute the same deltas.';

CREATE FUNCTION omni_costs.explain_match(p_match text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
  SELECT string_agg(CASE part
      WHEN 'exact' THEN 'the model as recorded has price rows of its own'
      WHEN 'alias' THEN 'an explicit alias rule (model_aliases) maps the name to the priced model'
      WHEN 'prefix' THEN 'the path prefix (models/, publishers/*/models/, projects/*/locations/*/publishers/*/models/) was removed'
      WHEN 'snapshot' THEN 'the dated snapshot suffix (-YYYY-MM-DD, -YYYYMMDD, @YYYYMMDD, -NNN, -latest) was removed'
      WHEN 'standard_tier' THEN 'the call''s service tier has no price of its own: priced at the standard tier and marked estimated'
      ELSE part END, '; ' ORDER BY n)
    FROM unnest(string_to_array(p_match, '+')) WITH ORDINALITY AS x(part, n)
$$;
COMMENT ON FUNCTION omni_costs.explain_match(text) IS 'A model_usage.pricing_match value (exact, alias, prefix, snapshot, their combinations, +standard_tier) in words.';

CREATE FUNCTION omni_costs.explain_cost(p_usage_id bigint)
RETURNS TABLE (step integer, kind text, item text, quantity numeric, unit text, unit_price_usd numeric,
               amount_usd numeric, detail jsonb)
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  u model_usage;
  p model_pricing;
  e cost_estimates;
  q usage_quantities;
  l record;
  v_missing boolean;
  v_total numeric;
  v_flat boolean := false;
  n integer := 0;
BEGIN
  SELECT * INTO u FROM model_usage m WHERE m.usage_id = p_usage_id LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no usage row with usage_id %', p_usage_id USING ERRCODE = 'P0002';
  END IF;
  q := quantities_of(u);

  n := n + 1; step := n; kind := 'call'; item := format('usage_id %s', u.usage_id);
  detail := jsonb_strip_nulls(jsonb_build_object('occurred_at', u.occurred_at, 'provider', u.provider,
    'model', u.model, 'operation', u.operation, 'service_tier', u.service_tier, 'input_tokens', u.input_tokens,
    'output_tokens', u.output_tokens, 'cached_input_tokens', u.cached_input_tokens,
    'cache_write_tokens', u.cache_write_tokens, 'cache_write_1h_tokens', u.cache_write_1h_tokens,
    'reasoning_tokens', u.reasoning_tokens, 'input_audio_tokens', u.input_audio_tokens,
    'cached_input_audio_tokens', u.cached_input_audio_tokens, 'output_audio_tokens', u.output_audio_tokens,
    'input_image_tokens', u.input_image_tokens, 'web_search_requests', u.web_search_requests,
    'image_count', u.image_count, 'audio_seconds', u.audio_seconds::text, 'requests', u.requests,
    'cost_status', u.cost_status, 'cost_note', u.cost_note));
  RETURN NEXT;
  quantity := NULL; unit := NULL; unit_price_usd := NULL; amount_usd := NULL;

  IF u.pricing_id IS NOT NULL THEN
    SELECT * INTO p FROM model_pricing mp WHERE mp.pricing_id = u.pricing_id;
    n := n + 1; step := n; kind := 'price'; item := format('pricing_id %s', p.pricing_id);
    detail := price_json(p) || jsonb_build_object('in_force_at_call', p.effective @> u.occurred_at,
      'prompt_tier', CASE WHEN p.min_input_tokens > 0
        THEN format('input_tokens %s >= %s: the whole request is priced at this long-context row', u.input_tokens, p.min_input_tokens)
        ELSE 'base row (min_input_tokens 0)' END);
    RETURN NEXT;
    n := n + 1; step := n; kind := 'rule'; item := u.pricing_match;
    detail := jsonb_build_object('model_as_recorded', u.model, 'priced_as', p.model, 'explanation', explain_match(u.pricing_match));
    RETURN NEXT;
  END IF;

  -- The same decisions as price_usage(), taken with the stored price row.
  IF u.cost_status = 'not_billed' THEN
    v_total := 0;
  ELSIF p.pricing_id IS NOT NULL THEN
    v_missing := (num_nonnulls(p.input_usd_per_mtok, p.output_usd_per_mtok, p.input_audio_usd_per_mtok,
                               p.input_image_usd_per_mtok) > 0 AND (q.input_tokens IS NULL OR q.output_tokens IS NULL))
              OR (p.audio_usd_per_hour IS NOT NULL AND q.audio_seconds IS NULL);
    IF v_missing THEN
      e := find_estimate(u.operation, u.provider, p.model);
      IF e.estimate_id IS NOT NULL AND num_nonnulls(e.input_tokens, e.output_tokens, e.audio_seconds) > 0 THEN
        q.input_tokens := coalesce(q.input_tokens, e.input_tokens, 0);
        q.output_tokens := coalesce(q.output_tokens, e.output_tokens, 0);
        q.audio_seconds := coalesce(q.audio_seconds, e.audio_seconds, 0);
      ELSIF e.usd_per_call IS NOT NULL THEN
        v_flat := true;
      ELSE
        e := NULL;
      END IF;
    END IF;
  ELSE
    e := find_estimate(u.operation, u.provider, u.model);
    v_flat := e.usd_per_call IS NOT NULL;
    IF NOT v_flat THEN e := NULL; END IF;
  END IF;

  IF e.estimate_id IS NOT NULL THEN
    n := n + 1; step := n; kind := 'estimate'; item := format('estimate_id %s', e.estimate_id);
    detail := jsonb_build_object('estimate_id', e.estimate_id, 'operation', e.operation, 'provider', e.provider,
      'model', e.model, 'input_tokens', e.input_tokens, 'output_tokens', e.output_tokens, 'audio_seconds', e.audio_seconds::text,
      'usd_per_call', e.usd_per_call::text, 'note', e.note,
      'used_for', CASE WHEN v_flat THEN 'flat cost per request' ELSE 'quantities the call did not report' END);
    RETURN NEXT;
  END IF;

  detail := NULL;
  IF v_flat THEN
    n := n + 1; step := n; kind := 'line'; item := 'flat_estimate'; quantity := u.requests; unit := 'request';
    unit_price_usd := e.usd_per_call; amount_usd := e.usd_per_call * u.requests;
    v_total := amount_usd;
    RETURN NEXT;
  ELSIF p.pricing_id IS NOT NULL AND u.cost_status <> 'not_billed' AND (NOT v_missing OR e.estimate_id IS NOT NULL) THEN
    FOR l IN SELECT * FROM cost_lines(q, p) LOOP
      n := n + 1; step := n; kind := 'line'; item := l.line; quantity := l.quantity; unit := l.unit;
      unit_price_usd := l.unit_price_usd; amount_usd := l.amount_usd;
      RETURN NEXT;
    END LOOP;
    v_total := (SELECT trim_scale(coalesce(sum(c.amount_usd), 0)) FROM cost_lines(q, p) c);
  END IF;

  n := n + 1; step := n; kind := 'total'; item := 'total'; quantity := NULL; unit := NULL; unit_price_usd := NULL;
  amount_usd := v_total;
  detail := jsonb_build_object('stored_cost_usd', u.processing_cost_usd::text, 'cost_status', u.cost_status,
    'equals_stored', v_total IS NOT DISTINCT FROM u.processing_cost_usd,
    'note', CASE WHEN v_total IS DISTINCT FROM u.processing_cost_usd
                 THEN 'the stored cost was computed with other inputs (an estimate rule changed since); omni pricing reprice recomputes it'
                 WHEN v_total IS NULL THEN 'cost unknown: ' || coalesce(u.cost_note, 'no price')
                 ELSE 'the sum of the lines equals the stored processing_cost_usd' END);
  RETURN NEXT;
END
$$;
COMMENT ON FUNCTION omni_costs.explain_cost(bigint) IS 'How the cost of one call was computed, one row per step: call (its usage), price (the price row used, prices as decimal strings), rule (the matched model rule in words), estimate (the fallback rule, for estimated calls), line (cost_lines(): quantity x USD per unit = amount USD) and total (the sum, compared with the stored processing_cost_usd).';

REVOKE ALL ON FUNCTION omni_costs.set_price(text, text, timestamptz, jsonb, timestamptz, text, integer, text, text, date),
  omni_costs.reprice(text, text, timestamptz, timestamptz, text, boolean), omni_costs.explain_cost(bigint),
  omni_costs.explain_match(text), omni_costs.price_json(omni_costs.model_pricing) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni_costs.set_price(text, text, timestamptz, jsonb, timestamptz, text, integer, text, text, date),
  omni_costs.reprice(text, text, timestamptz, timestamptz, text, boolean), omni_costs.explain_cost(bigint)
  TO omni_costs_admin;
GRANT SELECT ON omni_costs.price_history, omni_costs.pricing_gaps TO omni_costs_reader, omni_costs_admin;
