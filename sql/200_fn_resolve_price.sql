-- resolve_price(): find the price row in force for a call, trying the model as recorded first, then the
-- explicit alias rules, then mechanical rules (path prefix, dated snapshot suffix). The rule that matched is
-- returned so it can be stored on the usage row. The rules live in price_candidates(), which record_usage()
-- also uses to price many calls at once.
CREATE FUNCTION omni_costs.price_candidates(p_provider text, p_model text, p_service_tier text)
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

CREATE FUNCTION omni_costs.resolve_price(
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
