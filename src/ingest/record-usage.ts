// recordUsage(): the workers' one write. One statement for any number of rows, idempotent on the key,
// priced by PostgreSQL. Pass a transaction to record usage atomically with the worker's own writes.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { mapDatabaseError } from '../db/map-error.ts';
import { COST_STATUSES } from '../usage.ts';
import { parseUsageRows } from './usage-row.ts';

export const recordedUsageSchema = z.object({
  idempotency_key: z.string(),
  replayed: z.boolean(),
  usage_id: z.number(),
  occurred_at: z.date(),
  recorded_at: z.date(),
  instance_id: z.string(),
  batch_job_id: z.string().nullable(),
  message_id: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  operation: z.string(),
  processing_cost_usd: z.string().nullable(),
  cost_status: z.enum(COST_STATUSES),
  pricing_id: z.number().nullable(),
  pricing_match: z.string().nullable(),
  cost_note: z.string().nullable(),
});
export type RecordedUsage = z.infer<typeof recordedUsageSchema>;

/**
 * Stores usage rows and returns them, in input order, with processing_cost_usd (a decimal string) and
 * cost_status. A replayed key with the same payload returns the stored row (replayed: true); with a
 * different payload it throws IdempotencyConflictError and writes nothing.
 */
export async function recordUsage(db: CommonQueryMethods, rows: readonly unknown[]): Promise<RecordedUsage[]> {
  if (rows.length === 0) return [];
  const parsed = parseUsageRows(rows);
  try {
    const result = await db.any(
      sql.type(recordedUsageSchema)`SELECT * FROM omni_costs.record_usage(${sql.jsonb(parsed as never)})`,
    );
    return [...result];
  } catch (error) {
    throw mapDatabaseError(error);
  }
}
