-- Up Migration
-- record_usage() computes the common "priced" outcome inline: call_cost_usd() is the sum of cost_lines()
-- as one SQL expression over plain columns, which the planner inlines, and the price rows travel as plain
-- columns instead of a composite. Calls that need a decision (no price, missing usage, standard-tier
-- fallback, errors, provisioned throughput) still go through price_at().

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

CREATE OR REPLACE FUNCTION omni_costs.record_usage(p_rows jsonb)
RETURNS TABLE (
  idempotency_key text, replayed boolean, usage_id bigint, occurred_at timestamptz, recorded_at timestamptz,
  instance_id uuid, batch_job_id uuid, message_id text, provider text, model text, operation text,
  processing_cost_usd numeric, cost_status omni_costs.cost_status, pricing_id bigint, pricing_match text, cost_note text)
LANGUAGE plpgsql
SECURITY DEFINER
-- The rows inserted here are priced here, set-wise; this setting (restored when the function returns or fails)
-- tells model_usage's BEFORE INSERT trigger not to price them again one by one.
SET omni_costs.priced_by_record_usage = 'on'
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_floor bigint;
  v_inserted integer;
  v_keys integer;
  v_conflict record;
  v_returned integer;
BEGIN
  IF p_rows IS NULL OR jsonb_typeof(p_rows) <> 'array' THEN
    RAISE EXCEPTION 'record_usage expects a JSON array of usage rows' USING ERRCODE = '22023';
  END IF;
  IF EXISTS (SELECT FROM jsonb_array_elements(p_rows) e(x)
              WHERE jsonb_typeof(e.x) <> 'object' OR coalesce(e.x ->> 'idempotency_key', '') = '') THEN
    RAISE EXCEPTION 'every usage row needs an idempotency_key' USING ERRCODE = '23502';
  END IF;

  -- Every usage_id this call assigns is above v_floor: with the writing transaction's id, that tells the
  -- calls inserted by this call from replays below (also of keys recorded earlier in the same transaction).
  v_floor := nextval('omni_costs.model_usage_usage_id_seq');

  -- Each distinct key gets a usage_id up front; the keys that are new (claimed in usage_keys) are priced and
  -- inserted. The semi-join on usage_id (not a join of two CTEs) keeps large calls linear.
  RETURN QUERY
  WITH first_of_key AS (
    SELECT DISTINCT ON ((i.u).idempotency_key) i.ord, (i.u).*
      FROM usage_input_rows(p_rows) i
     ORDER BY (i.u).idempotency_key, i.ord
  ), numbered AS (
    SELECT f.*, nextval('omni_costs.model_usage_usage_id_seq') AS new_id FROM first_of_key f
  ), claimed AS (
    INSERT INTO usage_keys AS k (idempotency_key, usage_id, occurred_at)
    SELECT n.idempotency_key, n.new_id, n.occurred_at FROM numbered n ORDER BY n.idempotency_key
    ON CONFLICT DO NOTHING
    RETURNING k.usage_id
  ), new_calls AS (
    SELECT n.* FROM numbered n WHERE n.new_id IN (SELECT c.usage_id FROM claimed c)
  ), candidates AS MATERIALIZED (
    -- price_candidates() once per distinct model and tier of the call (MATERIALIZED: not once per price row).
    SELECT k.provider, k.model, k.tier, c.rank, c.model AS price_model, c.service_tier AS price_tier, c.match
      FROM (SELECT DISTINCT n.provider, n.model, coalesce(n.service_tier, 'standard') AS tier FROM new_calls n) k
     CROSS JOIN LATERAL price_candidates(k.provider, k.model, k.tier) c
  ), prices AS (
    -- Every price row the new calls could be priced with, as plain columns (not a composite, which
    -- would be taken apart again for every field of every call).
    SELECT c.provider, c.model, c.tier, c.rank, c.match, p.pricing_id, p.effective, p.min_input_tokens,
           p.input_usd_per_mtok, p.cached_input_usd_per_mtok, p.cache_write_5m_usd_per_mtok,
           p.cache_write_1h_usd_per_mtok, p.output_usd_per_mtok, p.reasoning_usd_per_mtok, p.input_audio_usd_per_mtok,
           p.cached_input_audio_usd_per_mtok, p.output_audio_usd_per_mtok, p.input_image_usd_per_mtok,
           p.audio_usd_per_hour, p.audio_min_seconds, p.audio_increment_seconds, p.usd_per_image, p.usd_per_request,
           p.web_search_usd_per_kcall
      FROM candidates c
      JOIN model_pricing p ON p.provider COLLATE "C" = c.provider AND p.model COLLATE "C" = c.price_model
                          AND p.service_tier COLLATE "C" = c.price_tier
  ), resolved AS (
    -- What resolve_price() returns for each call: the best-ranked candidate in force at occurred_at, at its
    -- highest prompt-size tier not above input_tokens.
    SELECT DISTINCT ON (n.ord) n.*, pr.pricing_id, pr.match, pr.input_usd_per_mtok, pr.cached_input_usd_per_mtok,
           pr.cache_write_5m_usd_per_mtok, pr.cache_write_1h_usd_per_mtok, pr.output_usd_per_mtok,
           pr.reasoning_usd_per_mtok, pr.input_audio_usd_per_mtok, pr.cached_input_audio_usd_per_mtok,
           pr.output_audio_usd_per_mtok, pr.input_image_usd_per_mtok, pr.audio_usd_per_hour, pr.audio_min_seconds,
           pr.audio_increment_seconds, pr.usd_per_image, pr.usd_per_request, pr.web_search_usd_per_kcall
      FROM new_calls n
      LEFT JOIN prices pr ON pr.provider = n.provider AND pr.model = n.model AND pr.tier = coalesce(n.service_tier, 'standard')
            AND pr.effective @> n.occurred_at AND pr.min_input_tokens <= coalesce(n.input_tokens, 0)
     ORDER BY n.ord, pr.rank, pr.min_input_tokens DESC
  ), costed AS MATERIALIZED (
    -- The common case (a price on the call's own tier, the usage it needs present, billed) is price_at()'s
    -- "priced" outcome, computed inline by call_cost_usd(); every other case goes through price_at() itself.
    -- MATERIALIZED: the outcome is computed once per call, not once per column it fills.
    SELECT r.*,
           CASE WHEN r.pricing_id IS NOT NULL AND r.requests <> 0 AND r.service_tier IS DISTINCT FROM 'provisioned'
                     AND r.match NOT LIKE '%+standard_tier'
                     AND NOT (num_nonnulls(r.input_usd_per_mtok, r.output_usd_per_mtok, r.input_audio_usd_per_mtok,
                                           r.input_image_usd_per_mtok) > 0
                              AND (r.input_tokens IS NULL OR r.output_tokens IS NULL))
                     AND NOT (r.audio_usd_per_hour IS NOT NULL AND r.audio_seconds IS NULL)
                THEN ROW(call_cost_usd(r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_write_tokens,
                                       r.cache_write_1h_tokens, r.reasoning_tokens, r.input_audio_tokens,
                                       r.cached_input_audio_tokens, r.output_audio_tokens, r.input_image_tokens,
                                       r.web_search_requests, r.image_count, r.audio_seconds, r.requests,
                                       r.input_usd_per_mtok, r.cached_input_usd_per_mtok, r.cache_write_5m_usd_per_mtok,
                                       r.cache_write_1h_usd_per_mtok, r.output_usd_per_mtok, r.reasoning_usd_per_mtok,
                                       r.input_audio_usd_per_mtok, r.cached_input_audio_usd_per_mtok,
                                       r.output_audio_usd_per_mtok, r.input_image_usd_per_mtok, r.audio_usd_per_hour,
                                       r.audio_min_seconds, r.audio_increment_seconds, r.usd_per_image,
                                       r.usd_per_request, r.web_search_usd_per_kcall),
                         'priced', r.pricing_id, r.match, NULL)::cost_result
                ELSE price_at(ROW(r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_write_tokens,
                                  r.cache_write_1h_tokens, r.reasoning_tokens, r.input_audio_tokens,
                                  r.cached_input_audio_tokens, r.output_audio_tokens, r.input_image_tokens,
                                  r.web_search_requests, r.image_count, r.audio_seconds, r.requests)::usage_quantities,
                              r.provider, r.model, r.service_tier, r.operation, r.occurred_at,
                              (SELECT p FROM model_pricing p WHERE p.pricing_id = r.pricing_id), r.match) END AS c
      FROM resolved r
  ), inserted AS (
    INSERT INTO model_usage AS m (usage_id, idempotency_key, occurred_at, instance_id, batch_job_id, message_id,
      provider, model, operation, service_tier, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
      cache_write_1h_tokens, reasoning_tokens, input_audio_tokens, cached_input_audio_tokens, output_audio_tokens,
      input_image_tokens, input_video_tokens, tool_use_prompt_tokens, web_search_requests, image_count, audio_seconds,
      audio_seconds_source, requests, raw_usage, processing_cost_usd, cost_status, pricing_id, pricing_match, cost_note)
    SELECT r.new_id, r.idempotency_key, r.occurred_at, r.instance_id, r.batch_job_id, r.message_id, r.provider,
           r.model, r.operation, r.service_tier, r.input_tokens, r.output_tokens, r.cached_input_tokens,
           r.cache_write_tokens, r.cache_write_1h_tokens, r.reasoning_tokens, r.input_audio_tokens,
           r.cached_input_audio_tokens, r.output_audio_tokens, r.input_image_tokens, r.input_video_tokens,
           r.tool_use_prompt_tokens, r.web_search_requests, r.image_count, r.audio_seconds, r.audio_seconds_source,
           r.requests, r.raw_usage, (r.c).processing_cost_usd, (r.c).cost_status, (r.c).pricing_id,
           (r.c).pricing_match, (r.c).cost_note
      FROM costed r
     ORDER BY r.ord
    RETURNING m.idempotency_key, m.usage_id, m.occurred_at, m.recorded_at, m.instance_id, m.batch_job_id,
              m.message_id, m.provider, m.model, m.operation, m.processing_cost_usd, m.cost_status, m.pricing_id,
              m.pricing_match, m.cost_note
  )
  SELECT i.idempotency_key, false, i.usage_id, i.occurred_at, i.recorded_at, i.instance_id, i.batch_job_id,
         i.message_id, i.provider, i.model, i.operation, i.processing_cost_usd, i.cost_status, i.pricing_id,
         i.pricing_match, i.cost_note
    FROM inserted i;
  GET DIAGNOSTICS v_inserted = ROW_COUNT;
  IF v_inserted = jsonb_array_length(p_rows) THEN
    RETURN; -- every key was new (and given once): nothing to compare
  END IF;

  -- Keys seen before: the stored call must be the same call. A new statement, so under READ COMMITTED it
  -- sees what concurrent writers of the same keys committed.
  SELECT (i.u).idempotency_key AS key, string_agg(f.key, ', ' ORDER BY f.key) AS fields
    INTO v_conflict
    FROM usage_input_rows(p_rows) i
    JOIN usage_keys k ON k.idempotency_key = (i.u).idempotency_key
    JOIN model_usage m ON m.usage_id = k.usage_id AND m.occurred_at = k.occurred_at
   CROSS JOIN LATERAL (SELECT to_jsonb(m) AS stored) s
   CROSS JOIN LATERAL jsonb_each(to_jsonb(i.u)) f
   WHERE f.value IS DISTINCT FROM (s.stored -> f.key)
   GROUP BY (i.u).idempotency_key
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'idempotency key "%" was already used for a different call', v_conflict.key
      USING ERRCODE = 'OC409', DETAIL = format('fields that differ: %s', v_conflict.fields),
            HINT = 'Use a new key for a new call; replay a call only with exactly the same payload.';
  END IF;

  -- The replays: the keys whose row this call did not insert (one inserted by this call has a usage_id above
  -- v_floor and this transaction's id). A key whose call was archived (detach_usage_month) is a replay too: it
  -- was recorded once and its cost still counts in the rollups and batch totals; only its stored columns are
  -- no longer at hand.
  RETURN QUERY
  SELECT DISTINCT ON (k.idempotency_key) k.idempotency_key, true, k.usage_id, k.occurred_at, m.recorded_at,
         coalesce(m.instance_id, (i.u).instance_id), coalesce(m.batch_job_id, (i.u).batch_job_id),
         coalesce(m.message_id, (i.u).message_id), coalesce(m.provider, (i.u).provider),
         coalesce(m.model, (i.u).model), coalesce(m.operation, (i.u).operation), m.processing_cost_usd,
         m.cost_status, m.pricing_id, m.pricing_match,
         CASE WHEN m.usage_id IS NULL THEN 'recorded before; its row is no longer in model_usage (archived with detach_usage_month)'
              ELSE m.cost_note END
    FROM usage_input_rows(p_rows) i
    JOIN usage_keys k ON k.idempotency_key = (i.u).idempotency_key
    LEFT JOIN model_usage m ON m.usage_id = k.usage_id AND m.occurred_at = k.occurred_at
   WHERE m.usage_id IS NULL OR k.usage_id <= v_floor OR m.recorded_xid <> pg_current_xact_id()::text::bigint
   ORDER BY k.idempotency_key;
  GET DIAGNOSTICS v_returned = ROW_COUNT;
  SELECT count(DISTINCT (i.u).idempotency_key) INTO v_keys FROM usage_input_rows(p_rows) i;
  IF v_inserted + v_returned < v_keys THEN
    -- Only under REPEATABLE READ or SERIALIZABLE: a concurrent writer stored a key after our snapshot.
    RAISE EXCEPTION 'a concurrent writer recorded one of these idempotency keys; retry the transaction'
      USING ERRCODE = '40001';
  END IF;
END
$$;
COMMENT ON FUNCTION omni_costs.record_usage(jsonb) IS 'Records calls given as a JSON array of usage_input objects, in one statement, idempotently on idempotency_key. Returns one row per distinct key (new calls first, then replays), with the cost PostgreSQL computed and replayed = true for keys already stored (for a call whose month was archived: replayed, with recorded_at, cost and status NULL). Raises OC409 when a key was stored with a different payload (then nothing is written).';

REVOKE ALL ON FUNCTION omni_costs.call_cost_usd(integer, integer, integer, integer, integer, integer, integer, integer, integer, integer,
    integer, integer, numeric, integer, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric,
    numeric, numeric, numeric, numeric, numeric, numeric, numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni_costs.call_cost_usd(integer, integer, integer, integer, integer, integer, integer, integer, integer, integer,
    integer, integer, numeric, integer, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric, numeric,
    numeric, numeric, numeric, numeric, numeric, numeric, numeric) TO omni_costs_admin;
