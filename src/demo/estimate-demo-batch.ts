// The pre-run estimate of the demo batch: one `batch estimate` per operation and model it contains, summed in
// SQL. The first run has no history and uses list prices; later runs use the
// history the earlier runs recorded.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { type BatchEstimate, batchEstimate } from '../reporting/batch-estimate.ts';
import type { DemoCall } from './media-batch.ts';

export interface DemoEstimate {
  total_usd: string | null;
  /** Items whose model has no price, so no estimate. */
  unestimated_items: number;
  parts: BatchEstimate[];
}

export async function estimateDemoBatch(
  db: CommonQueryMethods,
  instanceId: string,
  calls: readonly DemoCall[],
): Promise<DemoEstimate> {
  const groups = new Map<string, { operation: string; provider: string; model: string; items: number }>();
  for (const c of calls) {
    const key = `${c.operation} ${c.provider} ${c.model}`;
    const g = groups.get(key) ?? { operation: c.operation, provider: c.provider, model: c.model, items: 0 };
    g.items++;
    groups.set(key, g);
  }
  const parts: BatchEstimate[] = [];
  for (const g of groups.values()) {
    parts.push(await batchEstimate(db, { instanceId, jobType: g.operation, ...g }));
  }
  // Items of a model without a price have no estimate: they are left out (and counted) rather than taken as $0.
  const amounts = parts.map((p) => p.total_usd.mid).filter((a): a is string => a !== null);
  const total = await db.oneFirst(sql.type(z.object({ total: z.string().nullable() }))`
    SELECT trim_scale(sum(x)) AS total FROM unnest(${sql.array(amounts, 'numeric')}) AS x`);
  const unestimated = parts.filter((p) => p.total_usd.mid === null).reduce((n, p) => n + p.items, 0);
  return { total_usd: total, unestimated_items: unestimated, parts };
}
