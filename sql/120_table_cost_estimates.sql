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
