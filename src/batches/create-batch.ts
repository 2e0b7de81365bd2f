// Creates a batch job (the row Omni's batch pipeline owns) through the batch_jobs view.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { InvalidInputError } from '../db/errors.ts';
import { mapDatabaseError } from '../db/map-error.ts';

export const newBatchSchema = z.object({
  instance_id: z.uuid({ error: 'must be a uuid' }),
  job_type: z.string().trim().min(1, { error: 'must not be empty' }).max(100),
  total_items: z.number().int().min(0).max(2_147_483_647).nullable().optional(),
  status: z.enum(['pending', 'running']).default('pending'),
});

export const batchRowSchema = z.object({
  id: z.string(),
  instance_id: z.string(),
  job_type: z.string(),
  status: z.string(),
  total_items: z.number().nullable(),
  processed_items: z.number(),
  failed_items: z.number(),
  created_at: z.date(),
  started_at: z.date().nullable(),
  completed_at: z.date().nullable(),
  total_cost_usd: z.string(),
  estimated_cost_usd: z.string().nullable(),
});
export type BatchRow = z.infer<typeof batchRowSchema>;

export async function createBatch(
  db: CommonQueryMethods,
  input: z.input<typeof newBatchSchema>,
): Promise<BatchRow> {
  const parsed = newBatchSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(issue.path.join('.'), issue.message);
  }
  const b = parsed.data;
  try {
    return await db.one(sql.type(batchRowSchema)`
      INSERT INTO omni_costs.batch_jobs (instance_id, job_type, total_items, status, started_at)
      VALUES (${b.instance_id}, ${b.job_type}, ${b.total_items ?? null}, ${b.status},
              ${b.status === 'running' ? sql.fragment`now()` : null})
      RETURNING *`);
  } catch (error) {
    throw mapDatabaseError(error);
  }
}
