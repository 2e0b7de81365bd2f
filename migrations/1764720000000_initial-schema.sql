-- Up Migration
-- The initial schema of omni-costs: the files of sql/ at version 0.1.0, in order.

-- ==== sql/000_schema.sql
-- The omni_costs schema, its extensions and its three roles.
-- Roles are cluster-wide, so they are created only when missing; every object lives in schema omni_costs.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE SCHEMA IF NOT EXISTS omni_costs;
COMMENT ON SCHEMA omni_costs IS 'Cost tracking for model API calls: raw usage rows, prices with history, batch totals and daily rollups. All money is numeric USD.';

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omni_costs_writer') THEN
    CREATE ROLE omni_costs_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omni_costs_reader') THEN
    CREATE ROLE omni_costs_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'omni_costs_admin') THEN
    CREATE ROLE omni_costs_admin NOLOGIN;
  END IF;
END
$$;

-- ==== sql/010_types.sql
-- Enumerations shared by tables, triggers and reports.
CREATE TYPE omni_costs.cost_status AS ENUM ('priced', 'estimated', 'unpriced', 'not_billed');
COMMENT ON TYPE omni_costs.cost_status IS 'How processing_cost_usd was obtained. priced: exact, from a price row and reported (or measured) usage. estimated: a price row times estimated usage, or an operation fallback when the model has no price. unpriced: cost unknown (NULL), never counted as $0. not_billed: the provider does not bill this call (error response, provisioned throughput); cost is exactly 0.';

-- ==== sql/100_table_model_pricing.sql
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

-- ==== sql/110_table_model_aliases.sql
-- model_aliases: explicit alias rules (provider, alias) -> canonical priced model.
-- Mechanical rules (path prefixes, dated snapshot suffixes) live in resolve_price(); this table holds the rest.
CREATE TABLE omni_costs.model_aliases (
  provider text NOT NULL,
  alias text NOT NULL,
  model text NOT NULL,
  source text NOT NULL,
  note text,
  PRIMARY KEY (provider, alias),
  CONSTRAINT an_alias_is_not_its_own_model CHECK (alias <> model)
);
COMMENT ON TABLE omni_costs.model_aliases IS 'Explicit model alias rules: a usage row whose model equals alias is priced as model. Used before the mechanical rules (prefix strip, snapshot date strip).';
COMMENT ON COLUMN omni_costs.model_aliases.provider IS 'Canonical provider id the rule applies to.';
COMMENT ON COLUMN omni_costs.model_aliases.alias IS 'Model id as reported by the provider or the worker.';
COMMENT ON COLUMN omni_costs.model_aliases.model IS 'Canonical model id in model_pricing.';
COMMENT ON COLUMN omni_costs.model_aliases.source IS 'Where the rule comes from: catalogue, genai-prices@<version>, cli.';
COMMENT ON COLUMN omni_costs.model_aliases.note IS 'Why the alias exists.';

-- ==== sql/120_table_cost_estimates.sql
-- cost_estimates: fallback rules used when a call carries no usage, or its model has no price.
-- The most specific rule wins: (operation, provider, model) over (operation, provider) over (operation).
CREATE TABLE omni_costs.cost_estimates (
  estimate_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  operation text NOT NULL,
  provider text,
  model text,
  input_tokens integer,
  input_audio_tokens integer,
  output_tokens integer,
  audio_seconds numeric,
  usd_per_call numeric,
  note text NOT NULL,
  source text NOT NULL DEFAULT 'catalogue',
  CONSTRAINT estimate_rule_is_unique UNIQUE NULLS NOT DISTINCT (operation, provider, model),
  CONSTRAINT a_model_rule_names_its_provider CHECK (model IS NULL OR provider IS NOT NULL),
  CONSTRAINT estimate_quantities_are_not_negative CHECK (coalesce(input_tokens, 0) >= 0 AND coalesce(input_audio_tokens, 0) BETWEEN 0 AND coalesce(input_tokens, 0) AND coalesce(output_tokens, 0) >= 0
    AND coalesce(audio_seconds, 0) >= 0 AND coalesce(usd_per_call, 0) >= 0),
  CONSTRAINT an_estimate_estimates_something CHECK (num_nonnulls(input_tokens, output_tokens, audio_seconds, usd_per_call) > 0)
);
COMMENT ON TABLE omni_costs.cost_estimates IS 'Fallback estimate rules. With a price row, the estimated quantities (tokens, audio seconds) are priced at that row and the call is marked estimated. Without a price row, usd_per_call is used and the call is marked estimated. With neither, the call is unpriced.';
COMMENT ON COLUMN omni_costs.cost_estimates.estimate_id IS 'Surrogate key.';
COMMENT ON COLUMN omni_costs.cost_estimates.operation IS 'Operation the rule applies to (transcription, image_description, ...).';
COMMENT ON COLUMN omni_costs.cost_estimates.provider IS 'Provider the rule applies to; NULL = any.';
COMMENT ON COLUMN omni_costs.cost_estimates.model IS 'Canonical model the rule applies to; NULL = any.';
COMMENT ON COLUMN omni_costs.cost_estimates.input_tokens IS 'Typical input tokens per call, tokens.';
COMMENT ON COLUMN omni_costs.cost_estimates.input_audio_tokens IS 'Of input_tokens, the typical audio tokens per call (priced at the audio input rate), tokens.';
COMMENT ON COLUMN omni_costs.cost_estimates.output_tokens IS 'Typical output tokens per call, tokens.';
COMMENT ON COLUMN omni_costs.cost_estimates.audio_seconds IS 'Typical audio duration per call, seconds (used only when the call has no measured duration).';
COMMENT ON COLUMN omni_costs.cost_estimates.usd_per_call IS 'Flat USD per call, used when the model has no price row.';
COMMENT ON COLUMN omni_costs.cost_estimates.note IS 'Why these numbers.';
COMMENT ON COLUMN omni_costs.cost_estimates.source IS 'Where the rule comes from.';

-- ==== sql/130_table_batch_jobs.sql
-- Batch jobs. The table _batch_jobs holds the job; the view batch_jobs (sql/400) adds total_cost_usd,
-- which is the exact sum of the job's usage rows, kept in per-backend shards so that many workers
-- writing one batch never queue on a single row lock.
CREATE TABLE omni_costs._batch_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  instance_id uuid NOT NULL,
  job_type text NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  total_items integer,
  processed_items integer NOT NULL DEFAULT 0,
  failed_items integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  estimated_cost_usd numeric,
  CONSTRAINT batch_status_is_known CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  CONSTRAINT batch_item_counts_are_not_negative CHECK (coalesce(total_items, 0) >= 0 AND processed_items >= 0 AND failed_items >= 0),
  CONSTRAINT estimated_cost_is_not_negative CHECK (coalesce(estimated_cost_usd, 0) >= 0)
);
CREATE INDEX _batch_jobs_instance_created ON omni_costs._batch_jobs (instance_id, created_at DESC);
COMMENT ON TABLE omni_costs._batch_jobs IS 'Storage of batch jobs (internal; read and write through the batch_jobs view, which adds total_cost_usd).';
COMMENT ON COLUMN omni_costs._batch_jobs.id IS 'Batch job id (uuid).';
COMMENT ON COLUMN omni_costs._batch_jobs.instance_id IS 'Omni instance that owns the batch.';
COMMENT ON COLUMN omni_costs._batch_jobs.job_type IS 'Kind of batch, e.g. media_transcription, image_description.';
COMMENT ON COLUMN omni_costs._batch_jobs.status IS 'pending, running, completed, failed or cancelled.';
COMMENT ON COLUMN omni_costs._batch_jobs.total_items IS 'Items the batch will process; NULL = not known yet.';
COMMENT ON COLUMN omni_costs._batch_jobs.processed_items IS 'Items processed so far (successes and failures).';
COMMENT ON COLUMN omni_costs._batch_jobs.failed_items IS 'Items that failed.';
COMMENT ON COLUMN omni_costs._batch_jobs.created_at IS 'When the batch was created.';
COMMENT ON COLUMN omni_costs._batch_jobs.started_at IS 'When processing started.';
COMMENT ON COLUMN omni_costs._batch_jobs.completed_at IS 'When processing ended.';
COMMENT ON COLUMN omni_costs._batch_jobs.estimated_cost_usd IS 'Pre-run estimate, USD (from omni batch estimate), kept to compare with the actual.';

CREATE TABLE omni_costs._batch_cost_shards (
  batch_job_id uuid NOT NULL REFERENCES omni_costs._batch_jobs (id),
  shard smallint NOT NULL,
  cost_usd numeric NOT NULL DEFAULT 0,
  usage_rows bigint NOT NULL DEFAULT 0,
  estimated_rows bigint NOT NULL DEFAULT 0,
  unpriced_rows bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (batch_job_id, shard)
);
COMMENT ON TABLE omni_costs._batch_cost_shards IS 'Running totals of a batch split into shards by writing backend (pg_backend_pid() % 32), so concurrent writers of one batch do not serialise on one row. The batch total is the sum of its shards. Maintained only by the model_usage statement triggers.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.batch_job_id IS 'Batch the shard belongs to.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.shard IS 'Shard number, 0..31.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.cost_usd IS 'Sum of processing_cost_usd of the rows counted in this shard, USD (unknown costs count as nothing here; see unpriced_rows).';
COMMENT ON COLUMN omni_costs._batch_cost_shards.usage_rows IS 'Number of usage rows counted in this shard.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.estimated_rows IS 'Of which cost_status = estimated.';
COMMENT ON COLUMN omni_costs._batch_cost_shards.unpriced_rows IS 'Of which cost_status = unpriced (cost unknown).';

-- ==== sql/140_table_model_usage.sql
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

-- ==== sql/150_table_rollups.sql
-- Rollup storage. usage_daily is maintained incrementally by refresh_rollups(): rows committed since the
-- last refresh snapshot are added (an O(new rows) delta), and days touched by updates or deletes are
-- re-aggregated. The materialized views of sql/410 are built from it. Archiving a month of raw rows
-- leaves these totals unchanged.
CREATE TABLE omni_costs.usage_daily (
  day date NOT NULL,
  instance_id uuid NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  operation text NOT NULL,
  cost_status omni_costs.cost_status NOT NULL,
  calls bigint NOT NULL,
  requests bigint NOT NULL,
  input_tokens bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cached_input_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  audio_seconds numeric NOT NULL,
  calls_without_usage bigint NOT NULL,
  cost_usd numeric NOT NULL,
  PRIMARY KEY (day, instance_id, provider, model, operation, cost_status)
);
CREATE INDEX usage_daily_instance_day ON omni_costs.usage_daily (instance_id, day);
COMMENT ON TABLE omni_costs.usage_daily IS 'Daily totals (UTC days) per instance, provider, model, operation and cost status, as of the snapshot in rollup_state. Reports add the rows committed since (the tail) to be exact and current.';
COMMENT ON COLUMN omni_costs.usage_daily.day IS 'UTC calendar day of occurred_at.';
COMMENT ON COLUMN omni_costs.usage_daily.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.usage_daily.provider IS 'Provider id.';
COMMENT ON COLUMN omni_costs.usage_daily.model IS 'Model as recorded.';
COMMENT ON COLUMN omni_costs.usage_daily.operation IS 'Operation.';
COMMENT ON COLUMN omni_costs.usage_daily.cost_status IS 'Cost status of the calls in this group.';
COMMENT ON COLUMN omni_costs.usage_daily.calls IS 'Number of usage rows (provider calls).';
COMMENT ON COLUMN omni_costs.usage_daily.requests IS 'Billable requests (0 for error responses).';
COMMENT ON COLUMN omni_costs.usage_daily.input_tokens IS 'Sum of known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.output_tokens IS 'Sum of known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.cached_input_tokens IS 'Sum of known cached input tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.reasoning_tokens IS 'Sum of known reasoning tokens, tokens.';
COMMENT ON COLUMN omni_costs.usage_daily.audio_seconds IS 'Sum of known audio seconds, seconds.';
COMMENT ON COLUMN omni_costs.usage_daily.calls_without_usage IS 'Calls whose token usage is unknown (input and output tokens NULL).';
COMMENT ON COLUMN omni_costs.usage_daily.cost_usd IS 'Sum of processing_cost_usd, USD (NULL costs of unpriced calls add nothing; count them by cost_status).';

CREATE TABLE omni_costs.rollup_state (
  id boolean PRIMARY KEY DEFAULT true,
  snapshot pg_snapshot NOT NULL,
  refreshed_at timestamptz NOT NULL,
  rows_added bigint NOT NULL DEFAULT 0,
  days_recomputed integer NOT NULL DEFAULT 0,
  CONSTRAINT rollup_state_has_one_row CHECK (id)
);
COMMENT ON TABLE omni_costs.rollup_state IS 'The single watermark of usage_daily: the snapshot of the last refresh. A usage row is in usage_daily iff its transaction is visible in this snapshot.';
COMMENT ON COLUMN omni_costs.rollup_state.id IS 'Always true: there is one row.';
COMMENT ON COLUMN omni_costs.rollup_state.snapshot IS 'pg_current_snapshot() of the last refresh.';
COMMENT ON COLUMN omni_costs.rollup_state.refreshed_at IS 'When the last refresh ran.';
COMMENT ON COLUMN omni_costs.rollup_state.rows_added IS 'Usage rows the last refresh added as a delta.';
COMMENT ON COLUMN omni_costs.rollup_state.days_recomputed IS 'Days the last refresh re-aggregated because rows were updated or deleted.';
INSERT INTO omni_costs.rollup_state (snapshot, refreshed_at) VALUES (pg_current_snapshot(), now());

CREATE TABLE omni_costs.rollup_dirty_days (
  day date NOT NULL,
  marked_xid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
  PRIMARY KEY (day, marked_xid)
);
COMMENT ON TABLE omni_costs.rollup_dirty_days IS 'UTC days whose usage rows were updated or deleted (reprice, late pricing) since the last refresh, one mark per day and transaction; the next refresh re-aggregates them and removes the marks it saw, and reports compute those days from raw rows meanwhile. One mark per transaction (not per day) so that a transaction committing during a refresh keeps its own mark.';
COMMENT ON COLUMN omni_costs.rollup_dirty_days.day IS 'UTC day to re-aggregate.';
COMMENT ON COLUMN omni_costs.rollup_dirty_days.marked_xid IS 'Transaction that changed rows of that day (xid8 as bigint).';

CREATE TABLE omni_costs.view_refreshes (
  view_name text PRIMARY KEY,
  refreshed_at timestamptz NOT NULL,
  duration_ms numeric NOT NULL,
  row_count bigint NOT NULL
);
COMMENT ON TABLE omni_costs.view_refreshes IS 'When each materialized view was last refreshed, how long it took (milliseconds) and how many rows it holds.';
COMMENT ON COLUMN omni_costs.view_refreshes.view_name IS 'Materialized view name.';
COMMENT ON COLUMN omni_costs.view_refreshes.refreshed_at IS 'End of the last refresh.';
COMMENT ON COLUMN omni_costs.view_refreshes.duration_ms IS 'Duration of the last refresh, milliseconds.';
COMMENT ON COLUMN omni_costs.view_refreshes.row_count IS 'Rows in the view after the last refresh.';

-- ==== sql/160_table_audit.sql
-- Audit trail of price changes and re-pricing runs: who (database role), when, why, what changed.
CREATE TABLE omni_costs.price_changes (
  change_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  changed_at timestamptz NOT NULL DEFAULT now(),
  changed_by text NOT NULL DEFAULT current_user,
  action text NOT NULL,
  pricing_id bigint,
  provider text NOT NULL,
  model text NOT NULL,
  reason text,
  detail jsonb NOT NULL DEFAULT '{}',
  CONSTRAINT price_change_action_is_known CHECK (action IN ('open', 'close', 'sync_open', 'sync_close'))
);
COMMENT ON TABLE omni_costs.price_changes IS 'Audit log of every price range opened or closed, by the set_price() function or a catalogue sync.';
COMMENT ON COLUMN omni_costs.price_changes.change_id IS 'Surrogate key.';
COMMENT ON COLUMN omni_costs.price_changes.changed_at IS 'When the change was made.';
COMMENT ON COLUMN omni_costs.price_changes.changed_by IS 'Database role that made the change (session_user when through a security-definer function).';
COMMENT ON COLUMN omni_costs.price_changes.action IS 'open (a new range), close (a range cut short), sync_open / sync_close (the same, by omni pricing sync).';
COMMENT ON COLUMN omni_costs.price_changes.pricing_id IS 'model_pricing row opened, or the row that was closed.';
COMMENT ON COLUMN omni_costs.price_changes.provider IS 'Provider of the price.';
COMMENT ON COLUMN omni_costs.price_changes.model IS 'Model of the price.';
COMMENT ON COLUMN omni_costs.price_changes.reason IS 'Why, as given by the operator.';
COMMENT ON COLUMN omni_costs.price_changes.detail IS 'The old and new range and prices, as JSON.';

CREATE TABLE omni_costs.reprice_runs (
  run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ran_at timestamptz NOT NULL DEFAULT now(),
  ran_by text NOT NULL DEFAULT session_user,
  reason text,
  scope jsonb NOT NULL,
  rows_changed bigint NOT NULL,
  old_total_usd numeric NOT NULL,
  new_total_usd numeric NOT NULL
);
COMMENT ON TABLE omni_costs.reprice_runs IS 'Audit log of re-pricing runs (omni pricing reprice): scope, rows changed and the totals before and after, USD.';
COMMENT ON COLUMN omni_costs.reprice_runs.run_id IS 'Surrogate key.';
COMMENT ON COLUMN omni_costs.reprice_runs.ran_at IS 'When the run committed.';
COMMENT ON COLUMN omni_costs.reprice_runs.ran_by IS 'Database role that ran it.';
COMMENT ON COLUMN omni_costs.reprice_runs.reason IS 'Why, as given by the operator.';
COMMENT ON COLUMN omni_costs.reprice_runs.scope IS 'Filters of the run: provider, model, since, until.';
COMMENT ON COLUMN omni_costs.reprice_runs.rows_changed IS 'Usage rows whose cost changed.';
COMMENT ON COLUMN omni_costs.reprice_runs.old_total_usd IS 'Sum of the changed rows'' costs before, USD.';
COMMENT ON COLUMN omni_costs.reprice_runs.new_total_usd IS 'Sum of the changed rows'' costs after, USD.';

-- ==== sql/200_fn_resolve_price.sql
-- resolve_price(): find the price row in force for a call, trying the model as recorded first, then the
-- explicit alias rules, then mechanical rules (path prefix, dated snapshot suffix). The rule that matched is
-- returned so it can be stored on the usage row.
CREATE FUNCTION omni_costs.resolve_price(
  p_provider text, p_model text, p_service_tier text, p_at timestamptz, p_input_tokens integer,
  OUT price omni_costs.model_pricing, OUT match text)
LANGUAGE plpgsql STABLE
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_tiers text[] := CASE WHEN coalesce(p_service_tier, 'standard') = 'standard' THEN ARRAY['standard']
                         ELSE ARRAY[p_service_tier, 'standard'] END;
  v_tier text;
  v_lower text;
  v_stripped text;
  v_snapshot text;
  v_base text;
  v_rule text;
  v_names text[];
  v_rules text[];
  v_alias text;
  i integer;
BEGIN
  -- Fast path: the model as recorded, on its own tier (nearly every call).
  SELECT * INTO price FROM model_pricing p
   WHERE p.provider = p_provider AND p.model = p_model AND p.service_tier = coalesce(p_service_tier, 'standard')
     AND p.effective @> p_at AND p.min_input_tokens <= coalesce(p_input_tokens, 0)
   ORDER BY p.min_input_tokens DESC
   LIMIT 1;
  IF FOUND THEN
    match := 'exact';
    RETURN;
  END IF;

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

  FOREACH v_tier IN ARRAY v_tiers LOOP
    FOR i IN 1 .. array_length(v_names, 1) LOOP
      -- The fast path already tried the model as recorded on the call's own tier.
      CONTINUE WHEN i = 1 AND v_tier = coalesce(p_service_tier, 'standard');
      SELECT * INTO price FROM model_pricing p
       WHERE p.provider = p_provider AND p.model = v_names[i] AND p.service_tier = v_tier
         AND p.effective @> p_at AND p.min_input_tokens <= coalesce(p_input_tokens, 0)
       ORDER BY p.min_input_tokens DESC
       LIMIT 1;
      IF FOUND THEN
        match := v_rules[i] || CASE WHEN v_tier = coalesce(p_service_tier, 'standard') THEN '' ELSE '+standard_tier' END;
        RETURN;
      END IF;
    END LOOP;
  END LOOP;
  price := NULL;
  match := NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.resolve_price(text, text, text, timestamptz, integer) IS 'Price row in force at p_at for a call (provider, model as recorded, service tier, input tokens for the prompt-size tier) and the rule that matched: exact, alias, case (lower-cased), prefix (path removed), snapshot (dated suffix removed), each possibly +alias, with +standard_tier when the tier had no price of its own. NULLs when nothing matches.';

-- ==== sql/210_fn_cost_lines.sql
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

-- ==== sql/220_fn_price_usage.sql
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

CREATE FUNCTION omni_costs.price_usage(
  q omni_costs.usage_quantities, p_provider text, p_model text, p_service_tier text, p_operation text, p_at timestamptz)
RETURNS omni_costs.cost_result
LANGUAGE plpgsql STABLE
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  r omni_costs.cost_result;
  v_price omni_costs.model_pricing;
  v_match text;
  v_resolved record;
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

  SELECT * INTO v_resolved FROM resolve_price(p_provider, p_model, p_service_tier, p_at, q.input_tokens);
  v_price := v_resolved.price;
  v_match := v_resolved.match;

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

-- ==== sql/250_fn_pricing_admin.sql
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

-- ==== sql/300_tg_model_usage.sql
-- Triggers of model_usage. Same-event triggers fire in name order, so the number prefix is the order.
--   _100_price            BEFORE INSERT, row: price the call at occurred_at.
--   _200_add_to_batches   AFTER INSERT, statement: add the new rows to their batches' shards.
--   _210_update_batches   AFTER UPDATE, statement: apply cost changes to the shards; mark days dirty.
--   _220_remove_from_batches AFTER DELETE, statement: subtract deleted rows; mark days dirty.
CREATE FUNCTION omni_costs.tg_model_usage__price()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  r omni_costs.cost_result;
BEGIN
  r := price_usage(ROW(NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens, NEW.cache_write_tokens,
                       NEW.cache_write_1h_tokens, NEW.reasoning_tokens, NEW.input_audio_tokens,
                       NEW.cached_input_audio_tokens, NEW.output_audio_tokens, NEW.input_image_tokens,
                       NEW.web_search_requests, NEW.image_count, NEW.audio_seconds, NEW.requests)::usage_quantities,
                   NEW.provider, NEW.model, NEW.service_tier, NEW.operation, NEW.occurred_at);
  NEW.processing_cost_usd := r.processing_cost_usd;
  NEW.cost_status := r.cost_status;
  NEW.pricing_id := r.pricing_id;
  NEW.pricing_match := r.pricing_match;
  NEW.cost_note := r.cost_note;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__price() IS 'BEFORE INSERT row trigger: sets processing_cost_usd, cost_status, pricing_id, pricing_match and cost_note from price_usage() at occurred_at. Whatever the writer sent in those columns is replaced.';
CREATE TRIGGER _100_price BEFORE INSERT ON omni_costs.model_usage
  FOR EACH ROW EXECUTE FUNCTION omni_costs.tg_model_usage__price();

CREATE FUNCTION omni_costs.apply_batch_deltas(
  p_batch_ids uuid[], p_cost_usd numeric[], p_usage_rows bigint[], p_estimated_rows bigint[], p_unpriced_rows bigint[])
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
  -- One upsert per batch into the calling backend's shard; batches in id order so two statements that
  -- share a shard lock their rows in the same order and cannot deadlock.
  INSERT INTO _batch_cost_shards AS s (batch_job_id, shard, cost_usd, usage_rows, estimated_rows, unpriced_rows)
  SELECT d.batch_job_id, (pg_backend_pid() % 32)::smallint, d.cost_usd, d.usage_rows, d.estimated_rows, d.unpriced_rows
    FROM unnest(p_batch_ids, p_cost_usd, p_usage_rows, p_estimated_rows, p_unpriced_rows)
         AS d(batch_job_id, cost_usd, usage_rows, estimated_rows, unpriced_rows)
   ORDER BY d.batch_job_id
  ON CONFLICT (batch_job_id, shard) DO UPDATE
     SET cost_usd = s.cost_usd + excluded.cost_usd,
         usage_rows = s.usage_rows + excluded.usage_rows,
         estimated_rows = s.estimated_rows + excluded.estimated_rows,
         unpriced_rows = s.unpriced_rows + excluded.unpriced_rows
$$;
COMMENT ON FUNCTION omni_costs.apply_batch_deltas(uuid[], numeric[], bigint[], bigint[], bigint[]) IS 'Adds signed per-batch deltas (cost USD, rows, estimated rows, unpriced rows; one array element per distinct batch) to the calling backend''s shard of each batch. Used by the model_usage statement triggers.';

CREATE FUNCTION omni_costs.tg_model_usage__add_to_batches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM apply_batch_deltas(array_agg(d.batch_job_id), array_agg(d.cost_usd), array_agg(d.usage_rows),
                             array_agg(d.estimated_rows), array_agg(d.unpriced_rows))
     FROM (SELECT n.batch_job_id, coalesce(sum(n.processing_cost_usd), 0) AS cost_usd, count(*) AS usage_rows,
                  count(*) FILTER (WHERE n.cost_status = 'estimated') AS estimated_rows,
                  count(*) FILTER (WHERE n.cost_status = 'unpriced') AS unpriced_rows
             FROM new_rows n WHERE n.batch_job_id IS NOT NULL
            GROUP BY n.batch_job_id) d
   HAVING count(*) > 0;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__add_to_batches() IS 'AFTER INSERT statement trigger: adds the inserted rows'' costs and counts to their batches, one upsert per batch into the writing backend''s shard.';
CREATE TRIGGER _200_add_to_batches AFTER INSERT ON omni_costs.model_usage
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_usage__add_to_batches();

CREATE FUNCTION omni_costs.tg_model_usage__update_batches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM apply_batch_deltas(array_agg(d.batch_job_id), array_agg(d.cost_usd), array_agg(d.usage_rows),
                             array_agg(d.estimated_rows), array_agg(d.unpriced_rows))
     FROM (SELECT batch_job_id, sum(cost_usd) AS cost_usd, sum(usage_rows)::bigint AS usage_rows,
                  sum(estimated_rows)::bigint AS estimated_rows, sum(unpriced_rows)::bigint AS unpriced_rows
             FROM (SELECT n.batch_job_id, coalesce(n.processing_cost_usd, 0) AS cost_usd, 1 AS usage_rows,
                          (n.cost_status = 'estimated')::int AS estimated_rows, (n.cost_status = 'unpriced')::int AS unpriced_rows
                     FROM new_rows n WHERE n.batch_job_id IS NOT NULL
                   UNION ALL
                   SELECT o.batch_job_id, -coalesce(o.processing_cost_usd, 0), -1,
                          -(o.cost_status = 'estimated')::int, -(o.cost_status = 'unpriced')::int
                     FROM old_rows o WHERE o.batch_job_id IS NOT NULL) x
            GROUP BY batch_job_id) d
   HAVING count(*) > 0;
  INSERT INTO rollup_dirty_days (day)
  SELECT DISTINCT (o.occurred_at AT TIME ZONE 'UTC')::date FROM old_rows o
  UNION SELECT DISTINCT (n.occurred_at AT TIME ZONE 'UTC')::date FROM new_rows n
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__update_batches() IS 'AFTER UPDATE statement trigger: moves cost and status counts between old and new values in the batch shards, and marks the touched UTC days for re-aggregation.';
CREATE TRIGGER _210_update_batches AFTER UPDATE ON omni_costs.model_usage
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_usage__update_batches();

CREATE FUNCTION omni_costs.tg_model_usage__remove_from_batches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
BEGIN
  PERFORM apply_batch_deltas(array_agg(d.batch_job_id), array_agg(d.cost_usd), array_agg(d.usage_rows),
                             array_agg(d.estimated_rows), array_agg(d.unpriced_rows))
     FROM (SELECT o.batch_job_id, -coalesce(sum(o.processing_cost_usd), 0) AS cost_usd, -count(*) AS usage_rows,
                  -count(*) FILTER (WHERE o.cost_status = 'estimated') AS estimated_rows,
                  -count(*) FILTER (WHERE o.cost_status = 'unpriced') AS unpriced_rows
             FROM old_rows o WHERE o.batch_job_id IS NOT NULL
            GROUP BY o.batch_job_id) d
   HAVING count(*) > 0;
  INSERT INTO rollup_dirty_days (day)
  SELECT DISTINCT (o.occurred_at AT TIME ZONE 'UTC')::date FROM old_rows o
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION omni_costs.tg_model_usage__remove_from_batches() IS 'AFTER DELETE statement trigger: subtracts deleted rows from their batches and marks their UTC days for re-aggregation.';
CREATE TRIGGER _220_remove_from_batches AFTER DELETE ON omni_costs.model_usage
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION omni_costs.tg_model_usage__remove_from_batches();

-- ==== sql/310_fn_record_usage.sql
-- record_usage(): the one write path of workers. Inserts many calls in one round trip, idempotently:
-- a key seen before with the same payload returns the stored row (replayed = true); a key seen before
-- with a different payload raises SQLSTATE OC409 naming the fields that differ, and nothing is written.
CREATE TYPE omni_costs.usage_input AS (
  idempotency_key text,
  occurred_at timestamptz,
  instance_id uuid,
  batch_job_id uuid,
  message_id text,
  provider text,
  model text,
  operation text,
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
  requests integer,
  raw_usage jsonb
);
COMMENT ON TYPE omni_costs.usage_input IS 'One call as a worker reports it to record_usage(): the writable columns of model_usage.';

CREATE FUNCTION omni_costs.usage_input_rows(p_rows jsonb)
RETURNS TABLE (ord bigint, u omni_costs.usage_input)
LANGUAGE sql IMMUTABLE
AS $$
  SELECT e.ord,
         ROW(r.idempotency_key, r.occurred_at, r.instance_id, r.batch_job_id, r.message_id, r.provider, r.model,
             coalesce(r.operation, 'other'), r.service_tier, r.input_tokens, r.output_tokens, r.cached_input_tokens,
             r.cache_write_tokens, r.cache_write_1h_tokens, r.reasoning_tokens, r.input_audio_tokens,
             r.cached_input_audio_tokens, r.output_audio_tokens, r.input_image_tokens, r.input_video_tokens,
             r.tool_use_prompt_tokens, r.web_search_requests, r.image_count, r.audio_seconds, r.audio_seconds_source,
             coalesce(r.requests, 1), r.raw_usage)::omni_costs.usage_input
    FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS e(x, ord)
   CROSS JOIN LATERAL jsonb_populate_record(NULL::omni_costs.usage_input, e.x) AS r
$$;
COMMENT ON FUNCTION omni_costs.usage_input_rows(jsonb) IS 'Parses a JSON array of usage rows into typed usage_input values with defaults applied (operation other, requests 1), numbered in input order.';

CREATE FUNCTION omni_costs.record_usage(p_rows jsonb)
RETURNS TABLE (
  idempotency_key text, replayed boolean, usage_id bigint, occurred_at timestamptz, recorded_at timestamptz,
  instance_id uuid, batch_job_id uuid, message_id text, provider text, model text, operation text,
  processing_cost_usd numeric, cost_status omni_costs.cost_status, pricing_id bigint, pricing_match text, cost_note text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_new model_usage[];
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

  -- Each distinct key gets a usage_id up front; the keys that are new (claimed in usage_keys) are inserted.
  -- The semi-join on usage_id (not a join of two CTEs) keeps large calls linear.
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
  ), inserted AS (
    INSERT INTO model_usage AS m (usage_id, idempotency_key, occurred_at, instance_id, batch_job_id, message_id,
      provider, model, operation, service_tier, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
      cache_write_1h_tokens, reasoning_tokens, input_audio_tokens, cached_input_audio_tokens, output_audio_tokens,
      input_image_tokens, input_video_tokens, tool_use_prompt_tokens, web_search_requests, image_count, audio_seconds,
      audio_seconds_source, requests, raw_usage)
    SELECT n.new_id, n.idempotency_key, n.occurred_at, n.instance_id, n.batch_job_id, n.message_id, n.provider,
           n.model, n.operation, n.service_tier, n.input_tokens, n.output_tokens, n.cached_input_tokens,
           n.cache_write_tokens, n.cache_write_1h_tokens, n.reasoning_tokens, n.input_audio_tokens,
           n.cached_input_audio_tokens, n.output_audio_tokens, n.input_image_tokens, n.input_video_tokens,
           n.tool_use_prompt_tokens, n.web_search_requests, n.image_count, n.audio_seconds, n.audio_seconds_source,
           n.requests, n.raw_usage
      FROM numbered n
     WHERE n.new_id IN (SELECT c.usage_id FROM claimed c)
     ORDER BY n.ord
    RETURNING m.*
  )
  SELECT coalesce(array_agg(inserted), '{}'), (SELECT count(*) FROM first_of_key)
    INTO v_new, v_keys
    FROM inserted;

  RETURN QUERY
  SELECT m.idempotency_key, false, m.usage_id, m.occurred_at, m.recorded_at, m.instance_id, m.batch_job_id,
         m.message_id, m.provider, m.model, m.operation, m.processing_cost_usd, m.cost_status, m.pricing_id,
         m.pricing_match, m.cost_note
    FROM unnest(v_new) m;
  IF cardinality(v_new) = v_keys AND v_keys = jsonb_array_length(p_rows) THEN
    RETURN; -- every key was new: nothing to compare
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

  -- The replays. A key whose call was archived (detach_usage_month) is a replay too: it was recorded once and
  -- its cost still counts in the rollups and batch totals; only its stored columns are no longer at hand.
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
   WHERE (i.u).idempotency_key NOT IN (SELECT n.idempotency_key FROM unnest(v_new) n)
   ORDER BY k.idempotency_key;
  GET DIAGNOSTICS v_returned = ROW_COUNT;
  IF cardinality(v_new) + v_returned < v_keys THEN
    -- Only under REPEATABLE READ or SERIALIZABLE: a concurrent writer stored a key after our snapshot.
    RAISE EXCEPTION 'a concurrent writer recorded one of these idempotency keys; retry the transaction'
      USING ERRCODE = '40001';
  END IF;
END
$$;
COMMENT ON FUNCTION omni_costs.record_usage(jsonb) IS 'Records calls given as a JSON array of usage_input objects, in one statement, idempotently on idempotency_key. Returns one row per distinct key (new calls first, then replays), with the cost PostgreSQL computed and replayed = true for keys already stored (for a call whose month was archived: replayed, with recorded_at, cost and status NULL). Raises OC409 when a key was stored with a different payload (then nothing is written).';

-- ==== sql/320_tg_model_pricing.sql
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

-- ==== sql/330_fn_partitions.sql
-- Monthly partitions of model_usage: created ahead by ensure_usage_partitions() (migration and the daily
-- maintenance job), detached for archiving by detach_usage_month(). Detaching never changes rollups or
-- batch totals, which are kept apart from the raw rows.
CREATE FUNCTION omni_costs.ensure_usage_partitions(p_from date, p_until date)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_month date := date_trunc('month', p_from)::date;
  v_name text;
  v_created integer := 0;
BEGIN
  WHILE v_month < p_until LOOP
    v_name := format('model_usage_y%sm%s', to_char(v_month, 'YYYY'), to_char(v_month, 'MM'));
    IF to_regclass(format('omni_costs.%I', v_name)) IS NULL THEN
      -- Rows of that month that landed in the default partition move into the new partition first.
      EXECUTE format('CREATE TABLE omni_costs.%I (LIKE omni_costs.model_usage INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
      EXECUTE format($q$WITH moved AS (DELETE FROM omni_costs.model_usage_default
                         WHERE occurred_at >= %L::timestamptz AND occurred_at < %L::timestamptz RETURNING *)
                        INSERT INTO omni_costs.%I SELECT * FROM moved$q$,
                     v_month::timestamp AT TIME ZONE 'UTC', (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC', v_name);
      EXECUTE format('ALTER TABLE omni_costs.model_usage ATTACH PARTITION omni_costs.%I FOR VALUES FROM (%L) TO (%L)',
                     v_name, v_month::timestamp AT TIME ZONE 'UTC', (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
      EXECUTE format('COMMENT ON TABLE omni_costs.%I IS %L', v_name,
                     format('Usage rows of %s (UTC). A partition of model_usage.', to_char(v_month, 'YYYY-MM')));
      v_created := v_created + 1;
    END IF;
    v_month := (v_month + interval '1 month')::date;
  END LOOP;
  RETURN v_created;
END
$$;
COMMENT ON FUNCTION omni_costs.ensure_usage_partitions(date, date) IS 'Creates the missing monthly partitions of model_usage covering [p_from, p_until) (UTC months), moving any rows of those months out of the default partition. Returns how many it created.';

CREATE FUNCTION omni_costs.detach_usage_month(p_month date)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_month date := date_trunc('month', p_month)::date;
  v_name text := format('model_usage_y%sm%s', to_char(p_month, 'YYYY'), to_char(p_month, 'MM'));
  v_archive text := 'archived_' || v_name;
BEGIN
  IF to_regclass(format('omni_costs.%I', v_name)) IS NULL THEN
    -- The month's calls are in the default partition: give them a partition of their own first.
    PERFORM ensure_usage_partitions(v_month, (v_month + interval '1 month')::date);
  END IF;
  -- Bring the month's rows into the rollups first: no refresh runs meanwhile (rollup_state lock), and no
  -- write to the month is in flight (the partition lock waits for open writers and blocks new ones).
  LOCK TABLE rollup_state IN EXCLUSIVE MODE;
  EXECUTE format('LOCK TABLE omni_costs.%I IN ACCESS EXCLUSIVE MODE', v_name);
  PERFORM fold_into_rollup((SELECT s.snapshot FROM rollup_state s),
                           v_month::timestamp AT TIME ZONE 'UTC', (v_month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  EXECUTE format('ALTER TABLE omni_costs.model_usage DETACH PARTITION omni_costs.%I', v_name);
  EXECUTE format('ALTER TABLE omni_costs.%I RENAME TO %I', v_name, v_archive);
  EXECUTE format('COMMENT ON TABLE omni_costs.%I IS %L', v_archive,
                 format('Archived usage rows of %s (UTC), detached from model_usage; rollups and batch totals still count them. Dump and drop at will.', to_char(p_month, 'YYYY-MM')));
  RETURN 'omni_costs.' || v_archive;
END
$$;
COMMENT ON FUNCTION omni_costs.detach_usage_month(date) IS 'Folds the month''s rows not yet in the rollups into usage_daily, then detaches the month of p_month from model_usage and renames it archived_model_usage_yYYYYmMM, for archiving. Daily rollups and batch totals keep counting its rows. Returns the archive table name.';

-- A few months around now: every empty partition costs planning time in every query. Older calls land in
-- the default partition until ensure_usage_partitions() is run for their months (it moves them).
SELECT omni_costs.ensure_usage_partitions((date_trunc('month', now()) - interval '3 months')::date,
                                          (date_trunc('month', now()) + interval '4 months')::date);

-- ==== sql/340_fn_refresh_rollups.sql
-- Rollup maintenance. usage_daily counts a usage row iff its transaction is visible in
-- rollup_state.snapshot; rows committed since then, in any commit order, are exactly those not visible in
-- that snapshot. fold_into_rollup() adds such rows (an O(new rows) delta) and re-aggregates the days marked
-- dirty by updates and deletes; refresh_rollups() runs it over all time and moves the snapshot forward;
-- detach_usage_month() runs it over one month before the month leaves model_usage.
CREATE FUNCTION omni_costs.fold_into_rollup(p_since pg_snapshot, p_from timestamptz, p_until timestamptz)
RETURNS TABLE (rows_added bigint, days_recomputed integer)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_dirty date[];
  v_added bigint;
BEGIN
  -- Only the marks visible to this transaction are removed: a transaction committing meanwhile keeps its own.
  WITH d AS (DELETE FROM rollup_dirty_days x
              WHERE x.day >= (p_from AT TIME ZONE 'UTC')::date AND x.day < ceil_day(p_until)
             RETURNING x.day)
  SELECT coalesce(array_agg(DISTINCT d.day), '{}') INTO v_dirty FROM d;

  DELETE FROM usage_daily WHERE day = ANY (v_dirty);
  INSERT INTO usage_daily
  SELECT (u.occurred_at AT TIME ZONE 'UTC')::date, u.instance_id, u.provider, u.model, u.operation, u.cost_status,
         count(*), sum(u.requests), coalesce(sum(u.input_tokens), 0), coalesce(sum(u.output_tokens), 0),
         coalesce(sum(u.cached_input_tokens), 0), coalesce(sum(u.reasoning_tokens), 0), coalesce(sum(u.audio_seconds), 0),
         count(*) FILTER (WHERE u.input_tokens IS NULL AND u.output_tokens IS NULL),
         coalesce(sum(u.processing_cost_usd), 0)
    FROM model_usage u
   WHERE u.occurred_at >= (SELECT min(x)::timestamp AT TIME ZONE 'UTC' FROM unnest(v_dirty) x)
     AND u.occurred_at < (SELECT max(x) + 1 FROM unnest(v_dirty) x)::timestamp AT TIME ZONE 'UTC'
     AND (u.occurred_at AT TIME ZONE 'UTC')::date = ANY (v_dirty)
   GROUP BY 1, 2, 3, 4, 5, 6;

  WITH fresh AS (
    SELECT (u.occurred_at AT TIME ZONE 'UTC')::date AS day, u.*
      FROM model_usage u
     WHERE u.recorded_xid >= pg_snapshot_xmin(p_since)::text::bigint
       AND NOT pg_visible_in_snapshot(u.recorded_xid::text::xid8, p_since)
       AND u.occurred_at >= p_from AND u.occurred_at < p_until
  ), delta AS (
    SELECT f.day, f.instance_id, f.provider, f.model, f.operation, f.cost_status,
           count(*) AS calls, sum(f.requests) AS requests, coalesce(sum(f.input_tokens), 0) AS input_tokens,
           coalesce(sum(f.output_tokens), 0) AS output_tokens, coalesce(sum(f.cached_input_tokens), 0) AS cached_input_tokens,
           coalesce(sum(f.reasoning_tokens), 0) AS reasoning_tokens, coalesce(sum(f.audio_seconds), 0) AS audio_seconds,
           count(*) FILTER (WHERE f.input_tokens IS NULL AND f.output_tokens IS NULL) AS calls_without_usage,
           coalesce(sum(f.processing_cost_usd), 0) AS cost_usd
      FROM fresh f
     WHERE NOT (f.day = ANY (v_dirty))
     GROUP BY 1, 2, 3, 4, 5, 6
  ), upserted AS (
    INSERT INTO usage_daily AS t SELECT * FROM delta
    ON CONFLICT (day, instance_id, provider, model, operation, cost_status) DO UPDATE
       SET calls = t.calls + excluded.calls, requests = t.requests + excluded.requests,
           input_tokens = t.input_tokens + excluded.input_tokens, output_tokens = t.output_tokens + excluded.output_tokens,
           cached_input_tokens = t.cached_input_tokens + excluded.cached_input_tokens,
           reasoning_tokens = t.reasoning_tokens + excluded.reasoning_tokens,
           audio_seconds = t.audio_seconds + excluded.audio_seconds,
           calls_without_usage = t.calls_without_usage + excluded.calls_without_usage,
           cost_usd = t.cost_usd + excluded.cost_usd
    RETURNING t.calls
  )
  SELECT coalesce(sum(calls), 0) INTO v_added FROM delta;
  RETURN QUERY SELECT v_added, coalesce(array_length(v_dirty, 1), 0);
END
$$;
COMMENT ON FUNCTION omni_costs.fold_into_rollup(pg_snapshot, timestamptz, timestamptz) IS 'Adds to usage_daily the usage rows with occurred_at in [p_from, p_until) whose transactions are not visible in p_since, and re-aggregates the dirty days of that range (removing their visible marks). Returns rows added and days re-aggregated. Callers hold rollup_state in EXCLUSIVE mode.';

CREATE FUNCTION omni_costs.ceil_day(p_at timestamptz)
RETURNS date
LANGUAGE sql IMMUTABLE
AS $$
  SELECT CASE WHEN p_at = 'infinity' THEN 'infinity'::date
              ELSE ((p_at AT TIME ZONE 'UTC') + interval '1 day' - interval '1 microsecond')::date END
$$;
COMMENT ON FUNCTION omni_costs.ceil_day(timestamptz) IS 'The first UTC day that starts at or after p_at (exclusive upper day bound of a time range).';

CREATE FUNCTION omni_costs.refresh_rollups()
RETURNS TABLE (rows_added bigint, days_recomputed integer, snapshot pg_snapshot)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_prev pg_snapshot;
  v_fold record;
BEGIN
  -- REPEATABLE READ, with the lock taken first (a lock statement takes no snapshot, so the snapshot is taken
  -- after any earlier refresh committed): two refreshes never overlap and none re-adds another's rows.
  IF current_setting('transaction_isolation') NOT IN ('repeatable read', 'serializable') THEN
    RAISE EXCEPTION 'refresh_rollups() must run in a REPEATABLE READ transaction' USING ERRCODE = '25001',
      HINT = 'BEGIN ISOLATION LEVEL REPEATABLE READ; LOCK TABLE omni_costs.rollup_state IN EXCLUSIVE MODE; SELECT * FROM omni_costs.refresh_rollups(); COMMIT;';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_locks l WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid()
                    AND l.relation = 'omni_costs.rollup_state'::regclass AND l.mode = 'ExclusiveLock' AND l.granted) THEN
    RAISE EXCEPTION 'refresh_rollups() needs LOCK TABLE omni_costs.rollup_state IN EXCLUSIVE MODE first' USING ERRCODE = '55000';
  END IF;

  SELECT s.snapshot INTO v_prev FROM rollup_state s;
  SELECT * INTO v_fold FROM fold_into_rollup(v_prev, '-infinity', 'infinity');
  UPDATE rollup_state s
     SET snapshot = pg_current_snapshot(), refreshed_at = now(), rows_added = v_fold.rows_added,
         days_recomputed = v_fold.days_recomputed;

  PERFORM refresh_view('daily_instance_costs');
  PERFORM refresh_view('daily_model_costs');
  RETURN QUERY SELECT v_fold.rows_added, v_fold.days_recomputed, pg_current_snapshot();
END
$$;
COMMENT ON FUNCTION omni_costs.refresh_rollups() IS 'Adds the usage rows committed since the last refresh snapshot to usage_daily (work proportional to the new rows), re-aggregates the days marked dirty by updates and deletes, records the new snapshot in rollup_state, and refreshes the daily materialized views. Must run in REPEATABLE READ after LOCK TABLE rollup_state IN EXCLUSIVE MODE. Returns rows added, days re-aggregated and the new snapshot.';

-- ==== sql/400_views.sql
-- The read surface: views over the tables. Analysts and the CLI read these; the tables are storage.
CREATE VIEW omni_costs.batch_jobs AS
SELECT b.id, b.instance_id, b.job_type, b.status, b.total_items, b.processed_items, b.failed_items,
       b.created_at, b.started_at, b.completed_at,
       (SELECT coalesce(sum(s.cost_usd), 0) FROM omni_costs._batch_cost_shards s WHERE s.batch_job_id = b.id) AS total_cost_usd,
       b.estimated_cost_usd
  FROM omni_costs._batch_jobs b;
COMMENT ON VIEW omni_costs.batch_jobs IS 'Batch jobs, compatible with Omni''s batch_jobs table (insert and update through it work), with total_cost_usd: the exact sum of the batch''s usage costs at any moment, USD.';
COMMENT ON COLUMN omni_costs.batch_jobs.id IS 'Batch job id (uuid).';
COMMENT ON COLUMN omni_costs.batch_jobs.instance_id IS 'Omni instance that owns the batch.';
COMMENT ON COLUMN omni_costs.batch_jobs.job_type IS 'Kind of batch.';
COMMENT ON COLUMN omni_costs.batch_jobs.status IS 'pending, running, completed, failed or cancelled.';
COMMENT ON COLUMN omni_costs.batch_jobs.total_items IS 'Items the batch will process.';
COMMENT ON COLUMN omni_costs.batch_jobs.processed_items IS 'Items processed so far.';
COMMENT ON COLUMN omni_costs.batch_jobs.failed_items IS 'Items that failed.';
COMMENT ON COLUMN omni_costs.batch_jobs.created_at IS 'When the batch was created.';
COMMENT ON COLUMN omni_costs.batch_jobs.started_at IS 'When processing started.';
COMMENT ON COLUMN omni_costs.batch_jobs.completed_at IS 'When processing ended.';
COMMENT ON COLUMN omni_costs.batch_jobs.total_cost_usd IS 'Sum of processing_cost_usd of the batch''s usage rows, USD (exact; unpriced calls add nothing and are counted in batch_costs.unpriced_calls).';
COMMENT ON COLUMN omni_costs.batch_jobs.estimated_cost_usd IS 'Pre-run estimate, USD.';

CREATE VIEW omni_costs.batch_costs AS
SELECT b.id AS batch_job_id, b.instance_id, b.job_type, b.status, b.total_items, b.processed_items, b.failed_items,
       b.created_at, b.started_at, b.completed_at, b.estimated_cost_usd,
       coalesce(s.cost_usd, 0) AS total_cost_usd, coalesce(s.usage_rows, 0) AS calls,
       coalesce(s.estimated_rows, 0) AS estimated_calls, coalesce(s.unpriced_rows, 0) AS unpriced_calls
  FROM omni_costs._batch_jobs b
  LEFT JOIN (SELECT batch_job_id, sum(cost_usd) AS cost_usd, sum(usage_rows)::bigint AS usage_rows,
                    sum(estimated_rows)::bigint AS estimated_rows, sum(unpriced_rows)::bigint AS unpriced_rows
               FROM omni_costs._batch_cost_shards GROUP BY batch_job_id) s ON s.batch_job_id = b.id;
COMMENT ON VIEW omni_costs.batch_costs IS 'Per batch: progress, exact cost so far (USD) and how many of its calls are estimated or unpriced.';
COMMENT ON COLUMN omni_costs.batch_costs.batch_job_id IS 'Batch job id.';
COMMENT ON COLUMN omni_costs.batch_costs.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.batch_costs.job_type IS 'Kind of batch.';
COMMENT ON COLUMN omni_costs.batch_costs.status IS 'Batch status.';
COMMENT ON COLUMN omni_costs.batch_costs.total_items IS 'Items planned.';
COMMENT ON COLUMN omni_costs.batch_costs.processed_items IS 'Items processed.';
COMMENT ON COLUMN omni_costs.batch_costs.failed_items IS 'Items failed.';
COMMENT ON COLUMN omni_costs.batch_costs.created_at IS 'Created.';
COMMENT ON COLUMN omni_costs.batch_costs.started_at IS 'Started.';
COMMENT ON COLUMN omni_costs.batch_costs.completed_at IS 'Ended.';
COMMENT ON COLUMN omni_costs.batch_costs.estimated_cost_usd IS 'Pre-run estimate, USD.';
COMMENT ON COLUMN omni_costs.batch_costs.total_cost_usd IS 'Sum of the batch''s known costs, USD.';
COMMENT ON COLUMN omni_costs.batch_costs.calls IS 'Usage rows (provider calls) of the batch.';
COMMENT ON COLUMN omni_costs.batch_costs.estimated_calls IS 'Of which the cost is an estimate.';
COMMENT ON COLUMN omni_costs.batch_costs.unpriced_calls IS 'Of which the cost is unknown (not in total_cost_usd).';

CREATE VIEW omni_costs.usage_costs AS
SELECT u.usage_id, u.idempotency_key, u.occurred_at, u.recorded_at, u.recorded_xid, u.instance_id, u.batch_job_id, u.message_id,
       u.provider, u.model, u.operation, u.service_tier, u.input_tokens, u.output_tokens, u.cached_input_tokens,
       u.cache_write_tokens, u.cache_write_1h_tokens, u.reasoning_tokens, u.input_audio_tokens,
       u.cached_input_audio_tokens, u.output_audio_tokens, u.input_image_tokens, u.input_video_tokens,
       u.tool_use_prompt_tokens, u.web_search_requests, u.image_count, u.audio_seconds, u.audio_seconds_source,
       u.requests, u.processing_cost_usd, u.cost_status, u.pricing_id, u.pricing_match, u.cost_note
  FROM omni_costs.model_usage u;
COMMENT ON VIEW omni_costs.usage_costs IS 'One row per provider call with its usage and cost (USD); see model_usage for the meaning of each column.';

CREATE VIEW omni_costs.message_costs AS
SELECT u.instance_id, u.message_id, count(*) AS calls, coalesce(sum(u.processing_cost_usd), 0) AS cost_usd,
       count(*) FILTER (WHERE u.cost_status = 'estimated') AS estimated_calls,
       count(*) FILTER (WHERE u.cost_status = 'unpriced') AS unpriced_calls,
       array_agg(DISTINCT u.provider || '/' || u.model) AS models,
       min(u.occurred_at) AS first_call_at, max(u.occurred_at) AS last_call_at
  FROM omni_costs.model_usage u
 WHERE u.message_id IS NOT NULL
 GROUP BY u.instance_id, u.message_id;
COMMENT ON VIEW omni_costs.message_costs IS 'Per message (instance, message id): number of calls, total known cost in USD, and how many calls are estimated or unpriced. Filter by message_id: the view aggregates on the fly.';
COMMENT ON COLUMN omni_costs.message_costs.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.message_costs.message_id IS 'Message id.';
COMMENT ON COLUMN omni_costs.message_costs.calls IS 'Provider calls made for the message.';
COMMENT ON COLUMN omni_costs.message_costs.cost_usd IS 'Sum of known costs, USD.';
COMMENT ON COLUMN omni_costs.message_costs.estimated_calls IS 'Calls whose cost is an estimate.';
COMMENT ON COLUMN omni_costs.message_costs.unpriced_calls IS 'Calls whose cost is unknown (not in cost_usd).';
COMMENT ON COLUMN omni_costs.message_costs.models IS 'provider/model pairs used.';
COMMENT ON COLUMN omni_costs.message_costs.first_call_at IS 'First call.';
COMMENT ON COLUMN omni_costs.message_costs.last_call_at IS 'Last call.';

CREATE VIEW omni_costs.rollup_status AS
SELECT s.snapshot, s.refreshed_at, s.rows_added, s.days_recomputed,
       ARRAY(SELECT DISTINCT d.day FROM omni_costs.rollup_dirty_days d ORDER BY 1) AS dirty_days
  FROM omni_costs.rollup_state s;
COMMENT ON VIEW omni_costs.rollup_status IS 'How current the daily rollups are: a usage row is in usage_daily (daily_costs) iff its transaction is visible in snapshot; days in dirty_days are stale there until the next refresh (read them from usage_costs).';
COMMENT ON COLUMN omni_costs.rollup_status.snapshot IS 'Snapshot of the last refresh (pg_snapshot); rows with NOT pg_visible_in_snapshot(recorded_xid::text::xid8, snapshot) came later.';
COMMENT ON COLUMN omni_costs.rollup_status.refreshed_at IS 'When the last refresh ran.';
COMMENT ON COLUMN omni_costs.rollup_status.rows_added IS 'Usage rows the last refresh added.';
COMMENT ON COLUMN omni_costs.rollup_status.days_recomputed IS 'Days the last refresh re-aggregated.';
COMMENT ON COLUMN omni_costs.rollup_status.dirty_days IS 'UTC days with updated or deleted rows since the last refresh.';

-- ==== sql/410_mv_daily.sql
-- Materialized views of daily totals (UTC days), built from usage_daily and refreshed CONCURRENTLY by the
-- pg-boss refresh job through refresh_rollups(). Each has a unique index, which CONCURRENTLY requires.
CREATE MATERIALIZED VIEW omni_costs.daily_instance_costs AS
SELECT d.day, d.instance_id, sum(d.calls)::bigint AS calls, sum(d.requests)::bigint AS requests, sum(d.cost_usd) AS cost_usd,
       coalesce(sum(d.cost_usd) FILTER (WHERE d.cost_status = 'estimated'), 0) AS estimated_cost_usd,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'estimated'), 0)::bigint AS estimated_calls,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'unpriced'), 0)::bigint AS unpriced_calls,
       sum(d.input_tokens)::bigint AS input_tokens, sum(d.output_tokens)::bigint AS output_tokens, sum(d.audio_seconds) AS audio_seconds
  FROM omni_costs.usage_daily d
 GROUP BY d.day, d.instance_id;
CREATE UNIQUE INDEX daily_instance_costs_key ON omni_costs.daily_instance_costs (day, instance_id);
COMMENT ON MATERIALIZED VIEW omni_costs.daily_instance_costs IS 'Daily totals per instance (UTC days), as of the last refresh (see view_refreshes). cost_usd includes estimated costs; unpriced calls are counted, not costed.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.day IS 'UTC day.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.instance_id IS 'Omni instance.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.calls IS 'Provider calls.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.requests IS 'Billable requests.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.cost_usd IS 'Known cost, USD (priced + estimated).';
COMMENT ON COLUMN omni_costs.daily_instance_costs.estimated_cost_usd IS 'Of cost_usd, the estimated part, USD.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.estimated_calls IS 'Calls with an estimated cost.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.unpriced_calls IS 'Calls with an unknown cost (not in cost_usd).';
COMMENT ON COLUMN omni_costs.daily_instance_costs.input_tokens IS 'Known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.output_tokens IS 'Known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_instance_costs.audio_seconds IS 'Known audio, seconds.';

CREATE MATERIALIZED VIEW omni_costs.daily_model_costs AS
SELECT d.day, d.provider, d.model, d.operation, sum(d.calls)::bigint AS calls, sum(d.requests)::bigint AS requests,
       sum(d.cost_usd) AS cost_usd,
       coalesce(sum(d.cost_usd) FILTER (WHERE d.cost_status = 'estimated'), 0) AS estimated_cost_usd,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'estimated'), 0)::bigint AS estimated_calls,
       coalesce(sum(d.calls) FILTER (WHERE d.cost_status = 'unpriced'), 0)::bigint AS unpriced_calls,
       sum(d.input_tokens)::bigint AS input_tokens, sum(d.output_tokens)::bigint AS output_tokens, sum(d.audio_seconds) AS audio_seconds
  FROM omni_costs.usage_daily d
 GROUP BY d.day, d.provider, d.model, d.operation;
CREATE UNIQUE INDEX daily_model_costs_key ON omni_costs.daily_model_costs (day, provider, model, operation);
COMMENT ON MATERIALIZED VIEW omni_costs.daily_model_costs IS 'Daily totals per provider, model and operation across instances (UTC days), as of the last refresh.';
COMMENT ON COLUMN omni_costs.daily_model_costs.day IS 'UTC day.';
COMMENT ON COLUMN omni_costs.daily_model_costs.provider IS 'Provider.';
COMMENT ON COLUMN omni_costs.daily_model_costs.model IS 'Model as recorded.';
COMMENT ON COLUMN omni_costs.daily_model_costs.operation IS 'Operation.';
COMMENT ON COLUMN omni_costs.daily_model_costs.calls IS 'Provider calls.';
COMMENT ON COLUMN omni_costs.daily_model_costs.requests IS 'Billable requests.';
COMMENT ON COLUMN omni_costs.daily_model_costs.cost_usd IS 'Known cost, USD (priced + estimated).';
COMMENT ON COLUMN omni_costs.daily_model_costs.estimated_cost_usd IS 'Of cost_usd, the estimated part, USD.';
COMMENT ON COLUMN omni_costs.daily_model_costs.estimated_calls IS 'Calls with an estimated cost.';
COMMENT ON COLUMN omni_costs.daily_model_costs.unpriced_calls IS 'Calls with an unknown cost.';
COMMENT ON COLUMN omni_costs.daily_model_costs.input_tokens IS 'Known input tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_model_costs.output_tokens IS 'Known output tokens, tokens.';
COMMENT ON COLUMN omni_costs.daily_model_costs.audio_seconds IS 'Known audio, seconds.';

CREATE FUNCTION omni_costs.refresh_view(p_view text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = omni_costs, pg_temp
AS $$
DECLARE
  v_started timestamptz := clock_timestamp();
  v_rows bigint;
BEGIN
  IF p_view NOT IN ('daily_instance_costs', 'daily_model_costs') THEN
    RAISE EXCEPTION 'unknown view "%"; allowed: daily_instance_costs, daily_model_costs', p_view USING ERRCODE = '22023';
  END IF;
  EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY omni_costs.%I', p_view);
  EXECUTE format('SELECT count(*) FROM omni_costs.%I', p_view) INTO v_rows;
  INSERT INTO view_refreshes (view_name, refreshed_at, duration_ms, row_count)
  VALUES (p_view, clock_timestamp(), round(extract(epoch FROM clock_timestamp() - v_started) * 1000, 3), v_rows)
  ON CONFLICT (view_name) DO UPDATE
     SET refreshed_at = excluded.refreshed_at, duration_ms = excluded.duration_ms, row_count = excluded.row_count;
END
$$;
COMMENT ON FUNCTION omni_costs.refresh_view(text) IS 'REFRESH MATERIALIZED VIEW CONCURRENTLY of one daily view, recorded in view_refreshes. Called by refresh_rollups().';

CREATE VIEW omni_costs.daily_costs AS
SELECT d.day, d.instance_id, d.provider, d.model, d.operation, d.cost_status, d.calls, d.requests, d.cost_usd,
       d.input_tokens, d.output_tokens, d.cached_input_tokens, d.reasoning_tokens, d.audio_seconds, d.calls_without_usage
  FROM omni_costs.usage_daily d;
COMMENT ON VIEW omni_costs.daily_costs IS 'The finest daily grain (UTC day, instance, provider, model, operation, cost status), as of the last refresh; for per-instance-and-model questions the two materialized views do not answer.';

-- ==== sql/500_grants.sql
-- Least privilege. Writers can only record calls (through record_usage); readers can only read the
-- reporting views; admins change prices through audited functions and read everything.
REVOKE ALL ON ALL TABLES IN SCHEMA omni_costs FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA omni_costs FROM PUBLIC;
REVOKE ALL ON SCHEMA omni_costs FROM PUBLIC;

GRANT USAGE ON SCHEMA omni_costs TO omni_costs_writer, omni_costs_reader, omni_costs_admin;

GRANT EXECUTE ON FUNCTION omni_costs.record_usage(jsonb) TO omni_costs_writer, omni_costs_admin;

GRANT SELECT ON omni_costs.usage_costs, omni_costs.message_costs, omni_costs.batch_costs, omni_costs.batch_jobs,
  omni_costs.daily_costs, omni_costs.daily_instance_costs, omni_costs.daily_model_costs, omni_costs.view_refreshes,
  omni_costs.rollup_status
  TO omni_costs_reader, omni_costs_admin;

GRANT SELECT ON ALL TABLES IN SCHEMA omni_costs TO omni_costs_admin;
GRANT INSERT, UPDATE ON omni_costs.batch_jobs TO omni_costs_admin;
GRANT EXECUTE ON FUNCTION omni_costs.refresh_rollups(), omni_costs.ensure_usage_partitions(date, date),
  omni_costs.resolve_price(text, text, text, timestamptz, integer), omni_costs.price_of(omni_costs.model_usage),
  omni_costs.price_usage(omni_costs.usage_quantities, text, text, text, text, timestamptz),
  omni_costs.cost_lines(omni_costs.usage_quantities, omni_costs.model_pricing),
  omni_costs.quantities_of(omni_costs.model_usage), omni_costs.find_estimate(text, text, text),
  omni_costs.detach_usage_month(date), omni_costs.price_waiting_calls(text[], timestamptz, timestamptz)
  TO omni_costs_admin;
-- The refresh takes LOCK TABLE rollup_state IN EXCLUSIVE MODE, which needs UPDATE on it.
GRANT UPDATE ON omni_costs.rollup_state TO omni_costs_admin;
-- Partitions created later (by the worker's upkeep job) are readable by the admin too.
ALTER DEFAULT PRIVILEGES IN SCHEMA omni_costs GRANT SELECT ON TABLES TO omni_costs_admin;

-- Down Migration
DROP SCHEMA omni_costs CASCADE;
