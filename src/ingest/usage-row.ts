// A usage row as a worker records it: the call's context (instance, batch, message, operation, time,
// idempotency key) plus the normalized usage record. Validated here so that bad input names its field
// before anything reaches the database.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../db/errors.ts';
import { canonicalProvider, OPERATIONS, PROVIDERS, usageRecordSchema } from '../usage.ts';

const isoTime = z
  .union([z.date(), z.string()])
  .transform((value, ctx) => {
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) {
        ctx.addIssue({ code: 'custom', message: 'is an invalid date' });
        return z.NEVER;
      }
      return value.toISOString();
    }
    // An explicit offset is required: a time without a zone is ambiguous.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an ISO 8601 time with a zone, e.g. 2026-12-03T14:00:00Z (got "${value}")`,
      });
      return z.NEVER;
    }
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: `is not a valid time (got "${value}")` });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

const providerField = z.string().transform((value, ctx) => {
  const p = canonicalProvider(value);
  if (!p) {
    ctx.addIssue({ code: 'custom', message: `unknown provider "${value}"; allowed: ${PROVIDERS.join(', ')}` });
    return z.NEVER;
  }
  return p;
});

export const usageRowSchema = usageRecordSchema.safeExtend({
  idempotency_key: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(200, { error: 'must be at most 200 characters' })
    .optional(),
  occurred_at: isoTime.optional(),
  instance_id: z.uuid({ error: 'must be a uuid' }),
  batch_job_id: z.uuid({ error: 'must be a uuid' }).nullable().optional(),
  message_id: z.string().trim().min(1).max(200).nullable().optional(),
  provider: providerField,
  model: z.string().trim().min(1, { error: 'must not be empty' }).max(200),
  operation: z.enum(OPERATIONS, { error: `must be one of: ${OPERATIONS.join(', ')}` }).default('other'),
  service_tier: z.string().trim().min(1).max(40).nullable().optional(),
  raw_usage: z.unknown().optional(),
});

export type UsageRowInput = z.input<typeof usageRowSchema>;
export type UsageRow = z.output<typeof usageRowSchema> & { idempotency_key: string; occurred_at: string };

/** Validates rows; the first problem becomes an InvalidInputError naming rows[i].field. */
export function parseUsageRows(rows: readonly unknown[]): UsageRow[] {
  return rows.map((row, i) => {
    const parsed = usageRowSchema.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue.path.length ? issue.path.join('.') : '(row)';
      const where = rows.length > 1 ? `rows[${i}].${field}` : field;
      throw new InvalidInputError(where, issue.message);
    }
    return {
      ...parsed.data,
      idempotency_key: parsed.data.idempotency_key ?? randomUUID(),
      occurred_at: parsed.data.occurred_at ?? new Date().toISOString(),
    };
  });
}
