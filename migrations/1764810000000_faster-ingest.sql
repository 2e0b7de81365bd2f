-- Up Migration
-- Faster ingest: the price lookup uses a btree index, and record_usage() prices
-- its rows set-wise (price_candidates() once per distinct model and tier, price_at() per row) while
-- model_usage's pricing trigger skips them; the trigger still prices rows inserted any other way.

-- The price lookup of resolve_price() and record_usage(): equality on the key, then the highest prompt-size
-- tier not above the call's input tokens (a backward scan, no sort). Its key columns use COLLATE "C" (same
-- equality as the default collation) and so do the lookups: the exclusion constraint's GiST index, which
-- the planner otherwise prefers for the same equalities, cannot serve them (~10x slower per lookup).
CREATE INDEX model_pricing_lookup ON omni_costs.model_pricing
  (provider COLLATE "C", model COLLATE "C", service_tier COLLATE "C", min_input_tokens);

CREATE OR REPLACE FUNCTION omni_costs.price_candidates(p_provider text, p_model text, p_service_tier text)
RETURNS TABLE (rank integer, model text, service_tier text, match text)
LANGUAGE plpgsql STABLE
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_tiers text[] := CASE WHEN coalesce(p_service_tier, 'standard') = 'standard' THEN ARRAY['standard']
                         ELSE ARRAY[p_service_tier, 'standard'] END;
  v_lower text;
  v_stripped text;
  v_snapshot text;
  v_base text;
  v_rule text;
  v_names text[];
  v_rules text[];
  v_alias text;
  i integer;
  t integer;
BEGIN
  -- The names the model could be priced under, in rule order; each is also looked up as an alias.
  v_lower := lower(p_model);
  v_stripped := regexp_replace(v_lower,
    '^(projects/[^/]+/locations/[^/]+/publishers/[^/]+/models/|publishers/[^/]+/models/|models/)', '');
  v_snapshot := regexp_replace(v_stripped, '(-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{3}|-latest)$', '');
  v_names := ARRAY[]::text[];
  v_rules := ARRAY[]::text[];
  FOR i IN 1 .. 4 LOOP
    v_base := (ARRAY[p_model, v_lower, v_stripped, v_snapshot])[i];
    v_rule := (ARRAY['exact', 'case', 'prefix', 'snapshot'])[i];
    CONTINUE WHEN v_base = ANY (v_names);
    v_names := v_names || v_base;
    v_rules := v_rules || v_rule;
    SELECT a.model INTO v_alias FROM model_aliases a WHERE a.provider = p_provider AND a.alias = v_base;
    IF FOUND THEN
      v_names := v_names || v_alias;
      v_rules := v_rules || CASE WHEN v_rule = 'exact' THEN 'alias' ELSE v_rule || '+alias' END;
    END IF;
  END LOOP;

  -- Every name on the call's own tier first, then every name at the standard tier (an estimate).
  rank := 0;
  FOR t IN 1 .. array_length(v_tiers, 1) LOOP
    FOR i IN 1 .. array_length(v_names, 1) LOOP
      rank := rank + 1;
      model := v_names[i];
      service_tier := v_tiers[t];
      match := v_rules[i] || CASE WHEN t = 1 THEN '' ELSE '+standard_tier' END;
      RETURN NEXT;
    END LOOP;
  END LOOP;
END
$$;
COMMENT ON FUNCTION omni_costs.price_candidates(text, text, text) IS 'The (model, service tier) keys a call''s price may be found under, best first (rank 1 = the model as recorded on the call''s own tier), with the rule each stands for: exact, alias, case (lower-cased), prefix (path removed), snapshot (dated suffix removed), each possibly +alias, with +standard_tier for the standard-tier fallback of a call on another tier. The first candidate with a price row in force wins.';

CREATE OR REPLACE FUNCTION omni_costs.resolve_price(
  p_provider text, p_model text, p_service_tier text, p_at timestamptz, p_input_tokens integer,
  OUT price omni_costs.model_pricing, OUT match text)
LANGUAGE plpgsql STABLE
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  c record;
BEGIN
  -- Fast path: the model as recorded, on its own tier (nearly every call). COLLATE "C" and "(... @> ...) IS
  -- TRUE" (the same test, in a form no index serves) keep the planner on model_pricing_lookup: the exclusion
  -- constraint's GiST index also matches min_input_tokens and effective, and is ~10x slower per lookup.
  SELECT * INTO price FROM model_pricing p
   WHERE p.provider COLLATE "C" = p_provider AND p.model COLLATE "C" = p_model
     AND p.service_tier COLLATE "C" = coalesce(p_service_tier, 'standard')
     AND p.min_input_tokens <= coalesce(p_input_tokens, 0) AND (p.effective @> p_at) IS TRUE
   ORDER BY p.min_input_tokens DESC
   LIMIT 1;
  IF FOUND THEN
    match := 'exact';
    RETURN;
  END IF;

  -- The fast path already tried candidate 1 (the model as recorded on the call's own tier).
  FOR c IN SELECT * FROM price_candidates(p_provider, p_model, p_service_tier) pc WHERE pc.rank > 1 ORDER BY pc.rank LOOP
    SELECT * INTO price FROM model_pricing p
     WHERE p.provider COLLATE "C" = p_provider AND p.model COLLATE "C" = c.model
       AND p.service_tier COLLATE "C" = c.service_tier
       AND p.min_input_tokens <= coalesce(p_input_tokens, 0) AND (p.effective @> p_at) IS TRUE
     ORDER BY p.min_input_tokens DESC
     LIMIT 1;
    IF FOUND THEN
      match := c.match;
      RETURN;
    END IF;
  END LOOP;
  price := NULL;
  match := NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.resolve_price(text, text, text, timestamptz, integer) IS 'Price row in force at p_at for a call (provider, model as recorded, service tier, input tokens for the prompt-size tier) and the rule that matched: exact, alias, case (lower-cased), prefix (path removed), snapshot (dated suffix removed), each possibly +alias, with +standard_tier when the tier had no price of its own. NULLs when nothing matches.';

CREATE OR REPLACE FUNCTION omni_costs.price_at(
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

CREATE OR REPLACE FUNCTION omni_costs.price_usage(
  q omni_costs.usage_quantities, p_provider text, p_model text, p_service_tier text, p_operation text, p_at timestamptz)
RETURNS omni_costs.cost_result
LANGUAGE sql STABLE
SET search_path = omni_costs, pg_temp
AS $$
  SELECT price_at(q, p_provider, p_model, p_service_tier, p_operation, p_at, r.price, r.match)
    FROM resolve_price(p_provider, p_model, p_service_tier, p_at, q.input_tokens) r
$$;
COMMENT ON FUNCTION omni_costs.price_usage(omni_costs.usage_quantities, text, text, text, text, timestamptz) IS 'Cost and status of one call: priced (price row x reported usage), estimated (price x estimated usage, a flat per-call fallback, or a standard-tier price for a tier without one), unpriced (cost NULL) or not_billed (errors, provisioned throughput: 0). Never raises for a missing price.';

COMMENT ON FUNCTION omni_costs.tg_model_usage__price() IS 'BEFORE INSERT row trigger: sets processing_cost_usd, cost_status, pricing_id, pricing_match and cost_note from price_usage() at occurred_at. Whatever the writer sent in those columns is replaced. Not fired for the rows record_usage() inserts: it computes the same columns with the same functions, once per call instead of once per row.';

DROP TRIGGER _100_price ON omni_costs.model_usage;
-- The setting is on only while record_usage() runs (a SET clause of that function, restored when it returns
-- or fails); workers cannot insert into model_usage, and whoever can and sets it takes over the pricing.
CREATE TRIGGER _100_price BEFORE INSERT ON omni_costs.model_usage
  FOR EACH ROW WHEN (current_setting('omni_costs.priced_by_record_usage', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION omni_costs.tg_model_usage__price();

CREATE OR REPLACE FUNCTION omni_costs.usage_input_rows(p_rows jsonb)
RETURNS TABLE (ord bigint, u omni_costs.usage_input)
LANGUAGE sql IMMUTABLE
AS $$
  SELECT r.ordinality,
         ROW(r.idempotency_key, r.occurred_at, r.instance_id, r.batch_job_id, r.message_id, r.provider, r.model,
             coalesce(r.operation, 'other'), r.service_tier, r.input_tokens, r.output_tokens, r.cached_input_tokens,
             r.cache_write_tokens, r.cache_write_1h_tokens, r.reasoning_tokens, r.input_audio_tokens,
             r.cached_input_audio_tokens, r.output_audio_tokens, r.input_image_tokens, r.input_video_tokens,
             r.tool_use_prompt_tokens, r.web_search_requests, r.image_count, r.audio_seconds, r.audio_seconds_source,
             coalesce(r.requests, 1), r.raw_usage)::omni_costs.usage_input
    FROM jsonb_populate_recordset(NULL::omni_costs.usage_input, p_rows) WITH ORDINALITY AS r
$$;
COMMENT ON FUNCTION omni_costs.usage_input_rows(jsonb) IS 'Parses a JSON array of usage rows into typed usage_input values with defaults applied (operation other, requests 1), numbered in input order.';

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
    -- Every price row the new calls could be priced with.
    SELECT c.provider, c.model, c.tier, c.rank, c.match, p AS price
      FROM candidates c
      JOIN model_pricing p ON p.provider COLLATE "C" = c.provider AND p.model COLLATE "C" = c.price_model
                          AND p.service_tier COLLATE "C" = c.price_tier
  ), resolved AS (
    -- What resolve_price() returns for each call: the best-ranked candidate in force at occurred_at, at its
    -- highest prompt-size tier not above input_tokens.
    SELECT DISTINCT ON (n.ord) n.*, pr.price, pr.match
      FROM new_calls n
      LEFT JOIN prices pr ON pr.provider = n.provider AND pr.model = n.model AND pr.tier = coalesce(n.service_tier, 'standard')
            AND (pr.price).effective @> n.occurred_at AND (pr.price).min_input_tokens <= coalesce(n.input_tokens, 0)
     ORDER BY n.ord, pr.rank, (pr.price).min_input_tokens DESC
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
           r.requests, r.raw_usage, c.processing_cost_usd, c.cost_status, c.pricing_id, c.pricing_match, c.cost_note
      FROM resolved r
     CROSS JOIN LATERAL price_at(ROW(r.input_tokens, r.output_tokens, r.cached_input_tokens, r.cache_write_tokens,
                                     r.cache_write_1h_tokens, r.reasoning_tokens, r.input_audio_tokens,
                                     r.cached_input_audio_tokens, r.output_audio_tokens, r.input_image_tokens,
                                     r.web_search_requests, r.image_count, r.audio_seconds, r.requests)::usage_quantities,
                                 r.provider, r.model, r.service_tier, r.operation, r.occurred_at, r.price, r.match) c
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

REVOKE ALL ON FUNCTION omni_costs.price_candidates(text, text, text),
  omni_costs.price_at(omni_costs.usage_quantities, text, text, text, text, timestamptz, omni_costs.model_pricing, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION omni_costs.price_candidates(text, text, text),
  omni_costs.price_at(omni_costs.usage_quantities, text, text, text, text, timestamptz, omni_costs.model_pricing, text)
  TO omni_costs_admin;
