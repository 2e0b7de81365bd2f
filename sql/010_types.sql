-- Enumerations shared by tables, triggers and reports.
CREATE TYPE omni_costs.cost_status AS ENUM ('priced', 'estimated', 'unpriced', 'not_billed');
COMMENT ON TYPE omni_costs.cost_status IS 'How processing_cost_usd was obtained. priced: exact, from a price row and reported (or measured) usage. estimated: a price row times estimated usage, or an operation fallback when the model has no price. unpriced: cost unknown (NULL), never counted as $0. not_billed: the provider does not bill this call (error response, provisioned throughput); cost is exactly 0.';
