// Helpers of the pricing tests: record one call and read back what PostgreSQL stored and explained.
import { randomUUID } from 'node:crypto';
import type { CommonQueryMethods } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { explainCost } from '../../src/pricing/explain.ts';
import { type SetPriceInput, setPrice } from '../../src/pricing/set-price.ts';

export const INSTANCE = randomUUID();

/** Records one call (instance and time defaulted) and returns the stored row. */
export async function recordCall(db: CommonQueryMethods, call: Record<string, unknown>) {
  const [row] = await recordUsage(db, [
    { provider: 'openai', instance_id: INSTANCE, occurred_at: '2026-06-01T12:00:00Z', ...call },
  ]);
  return row;
}

/** Opens an open-ended price from 2026-01-01 (unless given) through set_price(). */
export async function price(
  db: CommonQueryMethods,
  input: Partial<SetPriceInput> & Pick<SetPriceInput, 'model' | 'prices'>,
) {
  const changes = await setPrice(db, {
    provider: 'openai',
    from: '2026-01-01T00:00:00Z',
    reason: 'test',
    ...input,
  });
  return changes.find((change) => change.action === 'open')!.pricing_id;
}

/** Records the call, checks nothing; returns [stored cost, explain total, explain lines]. */
export async function costOf(db: CommonQueryMethods, call: Record<string, unknown>) {
  const row = await recordCall(db, call);
  const explained = await explainCost(db, row.usage_id);
  return { row, explained };
}
