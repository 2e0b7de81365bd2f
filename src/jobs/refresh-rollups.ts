// Brings the daily rollups up to date. The transaction shape matters: REPEATABLE READ, and LOCK TABLE as
// its first statement (a lock takes no snapshot), so the snapshot is taken after any earlier refresh has
// committed. Two refreshes therefore never overlap, and none re-adds rows another already added.
import { type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import { pgError } from '../db/map-error.ts';

export const refreshResultSchema = z.object({
  rows_added: z.number(),
  days_recomputed: z.number(),
  snapshot: z.string(),
});
export type RefreshResult = z.infer<typeof refreshResultSchema> & {
  calls_priced: number;
  duration_ms: number;
};

export async function refreshRollups(db: DatabasePool, attempts = 5): Promise<RefreshResult> {
  const started = performance.now();
  // First a sweep: calls whose transaction was still open when their price arrived were not priced then.
  const callsPriced = (await db.oneFirst(
    sql.unsafe`SELECT omni_costs.price_waiting_calls(NULL, '-infinity', 'infinity')`,
  )) as number;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.transaction(async (tx) => {
        await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`);
        await tx.query(sql.unsafe`LOCK TABLE omni_costs.rollup_state IN EXCLUSIVE MODE`);
        return tx.one(
          sql.type(refreshResultSchema)`SELECT rows_added, days_recomputed, snapshot::text AS snapshot
                                          FROM omni_costs.refresh_rollups()`,
        );
      });
      return { ...result, calls_priced: callsPriced, duration_ms: Math.round(performance.now() - started) };
    } catch (error) {
      // A serialization failure or deadlock aborts the whole transaction, so it is safe to run it again.
      const code = pgError(error)?.code;
      if (attempt < attempts && (code === '40001' || code === '40P01')) continue;
      throw error;
    }
  }
}
