// explainCost(): how one call's cost was computed, from omni_costs.explain_cost(): the call, the price row
// used, the matched model rule, the estimate rule (for estimated calls), the lines and the total.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { NotFoundError } from '../db/errors.ts';
import { mapDatabaseError, pgError } from '../db/map-error.ts';

const stepSchema = z.object({
  step: z.number(),
  kind: z.enum(['call', 'price', 'rule', 'estimate', 'line', 'total']),
  item: z.string().nullable(),
  quantity: z.string().nullable(),
  unit: z.string().nullable(),
  unit_price_usd: z.string().nullable(),
  amount_usd: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
});

export interface CostLine {
  line: string;
  quantity: string;
  unit: string;
  unit_price_usd: string;
  amount_usd: string;
}

export interface CostExplanation {
  usage_id: number;
  /** The call as recorded: provider, model, operation, time, usage quantities, status. */
  call: Record<string, unknown>;
  /** The price row used (prices as decimal strings); null when no price row applied. */
  price: Record<string, unknown> | null;
  /** The matched model rule: pricing_match, the model as recorded, the priced model and the rule in words. */
  rule: Record<string, unknown> | null;
  /** The fallback estimate rule, for estimated calls. */
  estimate: Record<string, unknown> | null;
  lines: CostLine[];
  /** Sum of the lines, USD; null when the cost is unknown. */
  total_usd: string | null;
  stored_cost_usd: string | null;
  equals_stored: boolean;
  note: string;
}

export async function explainCost(db: CommonQueryMethods, usageId: number): Promise<CostExplanation> {
  let steps: readonly z.infer<typeof stepSchema>[];
  try {
    steps = await db.any(
      sql.type(stepSchema)`SELECT * FROM omni_costs.explain_cost(${usageId}::bigint) ORDER BY step`,
    );
  } catch (error) {
    if (pgError(error)?.code === 'P0002')
      throw new NotFoundError(`no usage row with usage_id ${usageId}`, { cause: error });
    throw mapDatabaseError(error);
  }
  const of = (kind: string) => steps.find((step) => step.kind === kind);
  const total = of('total');
  const rule = of('rule');
  return {
    usage_id: usageId,
    call: of('call')?.detail ?? {},
    price: of('price')?.detail ?? null,
    rule: rule ? { pricing_match: rule.item, ...rule.detail } : null,
    estimate: of('estimate') ? { ...(of('estimate')?.detail ?? {}) } : null,
    lines: steps
      .filter((step) => step.kind === 'line')
      .map((step) => ({
        line: step.item ?? '',
        quantity: step.quantity ?? '0',
        unit: step.unit ?? '',
        unit_price_usd: step.unit_price_usd ?? '0',
        amount_usd: step.amount_usd ?? '0',
      })),
    total_usd: total?.amount_usd ?? null,
    stored_cost_usd: (total?.detail?.stored_cost_usd as string | null | undefined) ?? null,
    equals_stored: total?.detail?.equals_stored === true,
    note: String(total?.detail?.note ?? ''),
  };
}
