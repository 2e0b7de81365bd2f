-- model_usage: the append-only ledger, one row per provider call, partitioned by month of occurred_at
-- so old months can be detached and archived without touching the rollups.
-- Workers never write it directly: they call record_usage(), which keeps idempotency keys in usage_keys.
CREATE SEQUENCE omni_costs.model_usage_usage_id_seq AS bigint;
COMMENT ON SEQUENCE omni_costs.model_usage_usage_id_seq IS 'Source of model_usage.usage_id.';

CREATE TABLE omni_costs.model_usage (
  usage_id bigint NOT NULL DEFAULT nextval('omni_costs.model_usage_usage_id_seq'),
  idempotency_key text NOT NULL,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
  instance_id uuid NOT NULL,
  batch_job_id uuid,
  message_id text,
  provider text NOT NULL,
  model text NOT NULL,
  operation text NOT NULL DEFAULT 'other',
  service_tier text,
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
  input_video_tokens integer,
  tool_use_prompt_tokens integer,
  web_search_requests integer,
  image_count integer,
  audio_seconds numeric(14, 3),
  audio_seconds_source text,
  requests integer NOT NULL DEFAULT 1,
  raw_usage jsonb,
  processing_cost_usd numeric,
  cost_status omni_costs.cost_status NOT NULL DEFAULT 'unpriced',
  pricing_id bigint,
  pricing_match text,
  cost_note text,
  PRIMARY KEY (usage_id, occurred_at),
  CONSTRAINT provider_is_known CHECK (provider IN ('openai', 'groq', 'gemini', 'vertex', 'anthropic')),
  CONSTRAINT operation_is_known CHECK (operation IN ('transcription', 'translation', 'image_description',
    'video_description', 'audio_description', 'document_extraction', 'chat', 'embedding', 'image_generation', 'other')),
  CONSTRAINT model_is_not_blank CHECK (btrim(model) <> ''),
  CONSTRAINT all_token_counts_are_not_negative CHECK (coalesce(input_tokens, 0) >= 0 AND coalesce(output_tokens, 0) >= 0
    AND coalesce(cached_input_tokens, 0) >= 0 AND coalesce(cache_write_tokens, 0) >= 0
    AND coalesce(cache_write_1h_tokens, 0) >= 0 AND coalesce(reasoning_tokens, 0) >= 0
    AND coalesce(input_audio_tokens, 0) >= 0 AND coalesce(cached_input_audio_tokens, 0) >= 0
    AND coalesce(output_audio_tokens, 0) >= 0 AND coalesce(input_image_tokens, 0) >= 0
    AND coalesce(input_video_tokens, 0) >= 0 AND coalesce(tool_use_prompt_tokens, 0) >= 0),
  CONSTRAINT call_counts_are_not_negative CHECK (requests >= 0 AND coalesce(web_search_requests, 0) >= 0
    AND coalesce(image_count, 0) >= 0),
  CONSTRAINT audio_seconds_are_not_negative CHECK (coalesce(audio_seconds, 0) >= 0),
  CONSTRAINT audio_seconds_source_is_known CHECK (audio_seconds_source IN ('reported', 'measured')),
  CONSTRAINT input_subsets_fit_in_input_tokens CHECK (
    coalesce(cached_input_tokens, 0) <= coalesce(input_tokens, 2147483647)
    AND coalesce(cache_write_tokens, 0) <= coalesce(input_tokens, 2147483647)
    AND coalesce(cached_input_tokens, 0)::bigint + coalesce(cache_write_tokens, 0) <= coalesce(input_tokens, 2147483647)
    AND coalesce(input_audio_tokens, 0) <= coalesce(input_tokens, 2147483647)
    AND coalesce(input_image_tokens, 0) <= coalesce(input_tokens, 2147483647)
    AND coalesce(input_video_tokens, 0) <= coalesce(input_tokens, 2147483647)
    AND coalesce(tool_use_prompt_tokens, 0) <= coalesce(input_tokens, 2147483647)),
  CONSTRAINT cache_subsets_fit_in_their_totals CHECK (
    coalesce(cache_write_1h_tokens, 0) <= coalesce(cache_write_tokens, 2147483647)
    AND coalesce(cached_input_audio_tokens, 0) <= coalesce(cached_input_tokens, 2147483647)
    AND coalesce(cached_input_audio_tokens, 0) <= coalesce(input_audio_tokens, 2147483647)),
  CONSTRAINT output_subsets_fit_in_output_tokens CHECK (
    coalesce(reasoning_tokens, 0) <= coalesce(output_tokens, 2147483647)
    AND coalesce(output_audio_tokens, 0) <= coalesce(output_tokens, 2147483647)),
  CONSTRAINT cost_matches_status CHECK (
    (cost_status = 'unpriced' AND processing_cost_usd IS NULL)
    OR (cost_status = 'not_billed' AND processing_cost_usd = 0)
    OR (cost_status IN ('priced', 'estimated') AND processing_cost_usd >= 0))
) PARTITION BY RANGE (occurred_at);

CREATE INDEX model_usage_batch ON omni_costs.model_usage (batch_job_id) WHERE batch_job_id IS NOT NULL;
CREATE INDEX model_usage_message ON omni_costs.model_usage (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX model_usage_waiting_for_price ON omni_costs.model_usage (provider, occurred_at) WHERE pricing_id IS NULL;
CREATE INDEX model_usage_occurred_brin ON omni_costs.model_usage USING brin (occurred_at);
CREATE INDEX model_usage_recorded_xid_brin ON omni_costs.model_usage USING brin (recorded_xid);

CREATE TABLE omni_costs.model_usage_default PARTITION OF omni_costs.model_usage DEFAULT;
COMMENT ON TABLE omni_costs.model_usage_default IS 'Catch-all partition for calls outside every monthly partition; ensure_usage_partitions() creates months ahead so this stays empty.';

COMMENT ON TABLE omni_costs.model_usage IS 'Append-only ledger of provider calls: one row per call, with its usage and the cost PostgreSQL computed at insert from the price in force at occurred_at. Partitioned by month of occurred_at. Token columns are counts of tokens; NULL = unknown (never 0).';
COMMENT ON COLUMN omni_costs.model_usage.usage_id IS 'Row id (unique with occurred_at).';
COMMENT ON COLUMN omni_costs.model_usage.idempotency_key IS 'Client-chosen key of the logical call; unique across all partitions through usage_keys.';
COMMENT ON COLUMN omni_costs.model_usage.occurred_at IS 'When the provider call was made; selects the price in force.';
COMMENT ON COLUMN omni_costs.model_usage.recorded_at IS 'When the row was written (transaction start).';
COMMENT ON COLUMN omni_costs.model_usage.recorded_xid IS 'Id of the writing transaction (xid8 as bigint); lets the rollup refresh pick up exactly the rows committed since its last snapshot, whatever their commit order.';
COMMENT ON COLUMN omni_costs.model_usage.instance_id IS 'Omni instance that made the call.';
COMMENT ON COLUMN omni_costs.model_usage.batch_job_id IS 'Batch the call belongs to, if any. It must exist: the insert trigger adds the call to the batch''s shards, whose foreign key rejects an unknown batch (one check per batch and statement instead of one per row), and a batch with calls cannot be deleted.';
COMMENT ON COLUMN omni_costs.model_usage.message_id IS 'Message the call processed, if any (many calls per message).';
COMMENT ON COLUMN omni_costs.model_usage.provider IS 'openai, groq, gemini, vertex or anthropic.';
COMMENT ON COLUMN omni_costs.model_usage.model IS 'Model as served (dated snapshot, path or alias); resolved to a priced model by the rule in pricing_match.';
COMMENT ON COLUMN omni_costs.model_usage.operation IS 'What the call did: transcription, translation, image_description, video_description, audio_description, document_extraction, chat, embedding, image_generation, other.';
COMMENT ON COLUMN omni_costs.model_usage.service_tier IS 'Rate card the provider reported (standard, flex, batch, priority, provisioned); NULL = standard.';
COMMENT ON COLUMN omni_costs.model_usage.input_tokens IS 'All billable input tokens, tokens: includes cache reads, cache writes, every modality and tool-use prompt tokens. NULL = unknown.';
COMMENT ON COLUMN omni_costs.model_usage.output_tokens IS 'All billable output tokens, tokens: includes reasoning and output audio. NULL = unknown.';
COMMENT ON COLUMN omni_costs.model_usage.cached_input_tokens IS 'Input tokens read from cache, tokens (subset of input_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.cache_write_tokens IS 'Input tokens written to cache, tokens (subset of input_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.cache_write_1h_tokens IS 'Of cache_write_tokens, those written with a 1-hour TTL, tokens (the rest are 5-minute writes).';
COMMENT ON COLUMN omni_costs.model_usage.reasoning_tokens IS 'Reasoning/thinking tokens, tokens (subset of output_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.input_audio_tokens IS 'Input audio tokens incl. cached audio, tokens (subset of input_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.cached_input_audio_tokens IS 'Cached input audio tokens, tokens (subset of cached_input_tokens and input_audio_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.output_audio_tokens IS 'Output audio tokens, tokens (subset of output_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.input_image_tokens IS 'Input image tokens where the provider reports them separately, tokens (subset of input_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.input_video_tokens IS 'Input video tokens (Gemini), tokens (subset of input_tokens; priced at the input rate).';
COMMENT ON COLUMN omni_costs.model_usage.tool_use_prompt_tokens IS 'Gemini tool-use prompt tokens, tokens (subset of input_tokens).';
COMMENT ON COLUMN omni_costs.model_usage.web_search_requests IS 'Web search or grounding calls billed per call, calls.';
COMMENT ON COLUMN omni_costs.model_usage.image_count IS 'Images generated, images.';
COMMENT ON COLUMN omni_costs.model_usage.audio_seconds IS 'Audio duration of a duration-billed call, seconds, before any minimum. NULL = unknown. 0 = not duration-billed.';
COMMENT ON COLUMN omni_costs.model_usage.audio_seconds_source IS 'reported (by the provider) or measured (from the audio file).';
COMMENT ON COLUMN omni_costs.model_usage.requests IS 'Billable requests this row represents: 1 for a call, 0 for an error response.';
COMMENT ON COLUMN omni_costs.model_usage.raw_usage IS 'The provider''s usage object as received, for audit.';
COMMENT ON COLUMN omni_costs.model_usage.processing_cost_usd IS 'Cost of the call, USD, computed by PostgreSQL. Exact when cost_status = priced, an estimate when estimated, 0 when not_billed, NULL when unpriced.';
COMMENT ON COLUMN omni_costs.model_usage.cost_status IS 'priced, estimated, unpriced or not_billed (see type cost_status).';
COMMENT ON COLUMN omni_costs.model_usage.pricing_id IS 'model_pricing row used; NULL when no price matched.';
COMMENT ON COLUMN omni_costs.model_usage.pricing_match IS 'Rule that matched the model to its price: exact, alias, prefix, snapshot, or with +standard_tier when the call''s tier had no price of its own.';
COMMENT ON COLUMN omni_costs.model_usage.cost_note IS 'Why the cost is not exact, when it is not.';

CREATE TABLE omni_costs.usage_keys (
  idempotency_key text PRIMARY KEY,
  usage_id bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  CONSTRAINT idempotency_key_is_not_blank CHECK (btrim(idempotency_key) <> '' AND length(idempotency_key) <= 200)
);
COMMENT ON TABLE omni_costs.usage_keys IS 'Idempotency keys of recorded calls, across all partitions: a retried call with the same key is stored once. Kept when a month is archived, so an archived call cannot be recorded twice.';
COMMENT ON COLUMN omni_costs.usage_keys.idempotency_key IS 'Client-chosen key of one logical provider call (at most 200 characters).';
COMMENT ON COLUMN omni_costs.usage_keys.usage_id IS 'model_usage.usage_id of the stored call.';
COMMENT ON COLUMN omni_costs.usage_keys.occurred_at IS 'model_usage.occurred_at of the stored call (with usage_id, its primary key).';
