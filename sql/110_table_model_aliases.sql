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
