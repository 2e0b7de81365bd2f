// recordUsage(): the workers' one write. One statement for any number of rows, idempotent on the key,
// priced by PostgreSQL. Pass a transaction to record usage atomically with the worker's own writes.
// Outside a transaction, a serialization failure or deadlock (which rolled the statement back) is retried
// transparently; inside one, it is thrown unchanged so that the caller's transaction is run again
// (slonik's transaction() does that for these codes).
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { DatabaseUnavailableError } from '../db/errors.ts';
import { isConnectionLoss, mapDatabaseError, pgError } from '../db/map-error.ts';
import { isRetryableTransactionError, type RetryOptions, retryTransient } from '../db/retry.ts';
import { COST_STATUSES } from '../usage.ts';
import { parseUsageRows } from './usage-row.ts';

export const recordedUsageSchema = z.object({
  idempotency_key: z.string(),
  replayed: z.boolean(),
  usage_id: z.number(),
  occurred_at: z.date(),
  recorded_at: z.date().nullable(),
  instance_id: z.string(),
  batch_job_id: z.string().nullable(),
  message_id: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  operation: z.string(),
  processing_cost_usd: z.string().nullable(),
  /** null only for a replay of a call whose month was archived (its stored columns are gone). */
  cost_status: z.enum(COST_STATUSES).nullable(),
  pricing_id: z.number().nullable(),
  pricing_match: z.string().nullable(),
  cost_note: z.string().nullable(),
});
export type RecordedUsage = z.infer<typeof recordedUsageSchema>;

export type RecordUsageOptions = Pick<RetryOptions, 'attempts' | 'onRetry'>;

/** A slonik transaction connection (its statements cannot be retried one by one). */
function inTransaction(db: CommonQueryMethods): boolean {
  return typeof (db as { transactionDepth?: unknown }).transactionDepth === 'number';
}

/**
 * Stores usage rows and returns them, in input order, with processing_cost_usd (a decimal string) and
 * cost_status. A replayed key with the same payload returns the stored row (replayed: true); with a
 * different payload it throws IdempotencyConflictError and writes nothing.
 */
export async function recordUsage(
  db: CommonQueryMethods,
  rows: readonly unknown[],
  options: RecordUsageOptions = {},
): Promise<RecordedUsage[]> {
  if (rows.length === 0) return [];
  // Parsed once: keys generated for rows without one stay the same across retries.
  const parsed = parseUsageRows(rows);
  // The rows go as one JSON text parameter: parseUsageRows has already refused what jsonb cannot hold
  // (NUL, unpaired surrogates), so slonik's sql.jsonb (a key-sorting stringify plus a character scan,
  // ~4 µs a row) would only repeat it.
  const query = sql.type(
    recordedUsageSchema,
  )`SELECT * FROM omni_costs.record_usage(${JSON.stringify(parsed)}::jsonb)`;
  const transactional = inTransaction(db);
  // record_usage() returns one row per distinct key; give them back in input order, one per input row.
  const inInputOrder = (stored: readonly RecordedUsage[]) => {
    const byKey = new Map(stored.map((row) => [row.idempotency_key, row]));
    return parsed.map((row) => byKey.get(row.idempotency_key) as RecordedUsage);
  };
  try {
    if (transactional) return inInputOrder(await db.any(query));
    return await retryTransient(async () => inInputOrder(await db.any(query)), options);
  } catch (error) {
    // In a transaction the caller reruns the whole transaction: keep the SQLSTATE it needs to see.
    if (transactional && isRetryableTransactionError(error)) throw error;
    if (isConnectionLoss(error)) {
      throw new DatabaseUnavailableError(
        `lost the connection to PostgreSQL while recording ${parsed.length} usage row(s) ` +
          `(${pgError(error)?.message ?? (error as Error).message}): the rows were stored all together or not at all; ` +
          'recording them again with the same idempotency keys is safe and stores each call once',
        { cause: error },
      );
    }
    throw mapDatabaseError(error);
  }
}
