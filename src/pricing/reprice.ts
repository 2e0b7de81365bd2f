// reprice(): recompute the cost of already-priced calls after a backdated price correction, through
// omni_costs.reprice(). The dry run and the real run are the same function; only the real run writes.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { InvalidInputError } from '../db/errors.ts';
import { mapDatabaseError, pgError } from '../db/map-error.ts';

export interface RepriceOptions {
  provider?: string | null;
  model?: string | null;
  /** ISO 8601 instant, inclusive. */
  since?: string | null;
  /** ISO 8601 instant, exclusive. */
  until?: string | null;
  /** Required for a real run; kept in reprice_runs. */
  reason?: string | null;
  dryRun: boolean;
}

const repriceRowSchema = z.object({
  kind: z.enum(['day', 'batch', 'total']),
  day: z.string().nullable(),
  batch_job_id: z.string().nullable(),
  rows_changed: z.number(),
  old_total_usd: z.string(),
  new_total_usd: z.string(),
  delta_usd: z.string(),
  run_id: z.number().nullable(),
});

export interface RepriceDelta {
  rows_changed: number;
  old_total_usd: string;
  new_total_usd: string;
  delta_usd: string;
}

export interface RepriceResult extends RepriceDelta {
  dry_run: boolean;
  /** reprice_runs.run_id of a real run; null for a dry run. */
  run_id: number | null;
  days: (RepriceDelta & { day: string })[];
  batches: (RepriceDelta & { batch_job_id: string })[];
}

export async function reprice(db: CommonQueryMethods, options: RepriceOptions): Promise<RepriceResult> {
  if (!options.dryRun && !options.reason?.trim()) {
    throw new InvalidInputError(
      'reason',
      'a reprice changes recorded costs: say why (it is kept in reprice_runs)',
    );
  }
  let rows: readonly z.infer<typeof repriceRowSchema>[];
  try {
    rows = await db.any(sql.type(repriceRowSchema)`
      SELECT kind, day::text AS day, batch_job_id, rows_changed, old_total_usd, new_total_usd, delta_usd, run_id
        FROM omni_costs.reprice(${options.provider ?? null}, ${options.model ?? null},
                                ${options.since ?? null}::timestamptz, ${options.until ?? null}::timestamptz,
                                ${options.reason ?? null}, ${options.dryRun === true})`);
  } catch (error) {
    const pg = pgError(error);
    if (pg?.code === '22023')
      throw new InvalidInputError('', `${pg.message}; nothing was written`, { cause: error });
    throw mapDatabaseError(error);
  }
  const delta = (row: (typeof rows)[number]): RepriceDelta => ({
    rows_changed: row.rows_changed,
    old_total_usd: row.old_total_usd,
    new_total_usd: row.new_total_usd,
    delta_usd: row.delta_usd,
  });
  const total = rows.find((row) => row.kind === 'total');
  if (!total) throw new Error('reprice() returned no total row');
  return {
    dry_run: options.dryRun === true,
    run_id: total.run_id,
    ...delta(total),
    days: rows.filter((row) => row.kind === 'day').map((row) => ({ day: row.day as string, ...delta(row) })),
    batches: rows
      .filter((row) => row.kind === 'batch')
      .map((row) => ({ batch_job_id: row.batch_job_id as string, ...delta(row) })),
  };
}
