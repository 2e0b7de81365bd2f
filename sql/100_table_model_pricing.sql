-- model_pricing: one row per (provider, model, service tier, prompt-size tier) and time range.
-- Rows are never edited in place: a price change closes one range and opens another (see set_price()).
CREATE TABLE omni_costs.model_pricing (
  pricing_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  provider text NOT NULL,
  model text NOT NULL,
  service_tier text NOT NULL DEFAULT 'standard',
  min_input_tokens integer NOT NULL DEFAULT 0,
  effective tstzrange NOT NULL,
  input_usd_per_mtok numeric,
  cached_input_usd_per_mtok numeric,
  cache_write_5m_usd_per_mtok numeric,
  cache_write_1h_usd_per_mtok numeric,
  output_usd_per_mtok numeric,
  reasoning_usd_per_mtok numeric,
  input_audio_usd_per_mtok numeric,
  cached_input_audio_usd_per_mtok numeric,
  output_audio_usd_per_mtok numeric,
  input_image_usd_per_mtok numeric,
  audio_usd_per_hour numeric,
  audio_min_seconds numeric NOT NULL DEFAULT 0,
  audio_increment_seconds numeric,
  usd_per_image numeric,
  usd_per_request numeric,
  web_search_usd_per_kcall numeric,
  source text NOT NULL,
  checked_on date,
  note text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by text NOT NULL DEFAULT current_user,
  CONSTRAINT effective_range_has_a_start CHECK (NOT isempty(effective) AND lower(effective) IS NOT NULL),
  CONSTRAINT min_input_tokens_is_not_negative CHECK (min_input_tokens >= 0),
  CONSTRAINT prices_are_not_negative CHECK (
    coalesce(input_usd_per_mtok, 0) >= 0 AND coalesce(cached_input_usd_per_mtok, 0) >= 0
    AND coalesce(cache_write_5m_usd_per_mtok, 0) >= 0 AND coalesce(cache_write_1h_usd_per_mtok, 0) >= 0
    AND coalesce(output_usd_per_mtok, 0) >= 0 AND coalesce(reasoning_usd_per_mtok, 0) >= 0
    AND coalesce(input_audio_usd_per_mtok, 0) >= 0 AND coalesce(cached_input_audio_usd_per_mtok, 0) >= 0
    AND coalesce(output_audio_usd_per_mtok, 0) >= 0 AND coalesce(input_image_usd_per_mtok, 0) >= 0
    AND coalesce(audio_usd_per_hour, 0) >= 0 AND coalesce(usd_per_image, 0) >= 0
    AND coalesce(usd_per_request, 0) >= 0 AND coalesce(web_search_usd_per_kcall, 0) >= 0),
  CONSTRAINT audio_minimum_and_increment_are_not_negative CHECK (audio_min_seconds >= 0 AND coalesce(audio_increment_seconds, 1) > 0),
  CONSTRAINT a_price_row_prices_something CHECK (num_nonnulls(input_usd_per_mtok, output_usd_per_mtok,
    input_audio_usd_per_mtok, audio_usd_per_hour, usd_per_image, usd_per_request) > 0),
  CONSTRAINT price_ranges_of_one_key_never_overlap EXCLUDE USING gist (
    provider WITH =, model WITH =, service_tier WITH =, min_input_tokens WITH =, effective WITH &&)
);

COMMENT ON TABLE omni_costs.model_pricing IS 'Price registry with history. A usage row is priced by the row whose effective range contains its occurred_at. Token prices are USD per 1,000,000 tokens; NULL means "not priced separately" (falls back as documented per column). Never updated in place.';
COMMENT ON COLUMN omni_costs.model_pricing.pricing_id IS 'Surrogate key; model_usage.pricing_id points here.';
COMMENT ON COLUMN omni_costs.model_pricing.provider IS 'Canonical provider id: openai, groq, gemini, vertex, anthropic, or another catalogue provider.';
COMMENT ON COLUMN omni_costs.model_pricing.model IS 'Canonical model id the price applies to (dated snapshots and aliases resolve to it through model_aliases).';
COMMENT ON COLUMN omni_costs.model_pricing.service_tier IS 'Rate card: standard (default), batch, flex, priority, ... A call on a tier with no row of its own is priced at standard and marked estimated.';
COMMENT ON COLUMN omni_costs.model_pricing.min_input_tokens IS 'Prompt-size tier, tokens, inclusive: the row applies to requests whose input_tokens >= this. 0 = base tier. A long-context row (e.g. 200001 for Gemini 2.5 Pro) reprices the whole request.';
COMMENT ON COLUMN omni_costs.model_pricing.effective IS 'Half-open time range [from, until) in which this price was in force; an unbounded upper end means "still in force".';
COMMENT ON COLUMN omni_costs.model_pricing.input_usd_per_mtok IS 'USD per 1M uncached input tokens (text, and any modality without a rate of its own).';
COMMENT ON COLUMN omni_costs.model_pricing.cached_input_usd_per_mtok IS 'USD per 1M input tokens read from cache. NULL = no discount (input rate).';
COMMENT ON COLUMN omni_costs.model_pricing.cache_write_5m_usd_per_mtok IS 'USD per 1M tokens written to a 5-minute cache (also used for cache writes with no TTL split). NULL = input rate.';
COMMENT ON COLUMN omni_costs.model_pricing.cache_write_1h_usd_per_mtok IS 'USD per 1M tokens written to a 1-hour cache. NULL = the 5-minute write rate.';
COMMENT ON COLUMN omni_costs.model_pricing.output_usd_per_mtok IS 'USD per 1M output tokens (visible text; thinking too unless reasoning_usd_per_mtok is set).';
COMMENT ON COLUMN omni_costs.model_pricing.reasoning_usd_per_mtok IS 'USD per 1M reasoning/thinking tokens where that differs from output. NULL = output rate.';
COMMENT ON COLUMN omni_costs.model_pricing.input_audio_usd_per_mtok IS 'USD per 1M uncached input audio tokens. NULL = input rate.';
COMMENT ON COLUMN omni_costs.model_pricing.cached_input_audio_usd_per_mtok IS 'USD per 1M cached input audio tokens. NULL = cached input rate.';
COMMENT ON COLUMN omni_costs.model_pricing.output_audio_usd_per_mtok IS 'USD per 1M output audio tokens. NULL = output rate.';
COMMENT ON COLUMN omni_costs.model_pricing.input_image_usd_per_mtok IS 'USD per 1M input image tokens, where reported separately. NULL = input rate.';
COMMENT ON COLUMN omni_costs.model_pricing.audio_usd_per_hour IS 'USD per hour of audio for duration-billed models (Whisper). Billable seconds = max(audio_seconds, audio_min_seconds) rounded up to audio_increment_seconds.';
COMMENT ON COLUMN omni_costs.model_pricing.audio_min_seconds IS 'Minimum billable seconds per request for duration-billed audio (Groq: 10). 0 = none.';
COMMENT ON COLUMN omni_costs.model_pricing.audio_increment_seconds IS 'Billable seconds are rounded up to a multiple of this (seconds). NULL = exact.';
COMMENT ON COLUMN omni_costs.model_pricing.usd_per_image IS 'USD per generated image (image_count), for models priced per image.';
COMMENT ON COLUMN omni_costs.model_pricing.usd_per_request IS 'USD per billable request (requests), on top of token prices.';
COMMENT ON COLUMN omni_costs.model_pricing.web_search_usd_per_kcall IS 'USD per 1,000 web search or grounding calls (web_search_requests).';
COMMENT ON COLUMN omni_costs.model_pricing.source IS 'Where the price comes from: catalogue, genai-prices@<version>, cli, or a URL.';
COMMENT ON COLUMN omni_costs.model_pricing.checked_on IS 'Date the price was last checked against its source.';
COMMENT ON COLUMN omni_costs.model_pricing.note IS 'Free text: the reason for a change, caveats.';
COMMENT ON COLUMN omni_costs.model_pricing.created_at IS 'When this row was inserted.';
COMMENT ON COLUMN omni_costs.model_pricing.created_by IS 'Database role that inserted this row.';

-- The price lookup of resolve_price() and record_usage(): equality on the key, then the highest prompt-size
-- tier not above the call's input tokens (a backward scan, no sort). Its key columns use COLLATE "C" (same
-- equality as the default collation) and so do the lookups: the exclusion constraint's GiST index, which
-- the planner otherwise prefers for the same equalities, cannot serve them (~10x slower per lookup).
CREATE INDEX model_pricing_lookup ON omni_costs.model_pricing
  (provider COLLATE "C", model COLLATE "C", service_tier COLLATE "C", min_input_tokens);
