// A usage row as a worker records it: the call's context (instance, batch, message, operation, time,
// idempotency key) plus the normalized usage record. Validated here so that bad input names its field
// before anything reaches the database.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../db/errors.ts';
import { canonicalProvider, OPERATIONS, PROVIDERS, usageRecordSchema } from '../usage.ts';

/** Calls are recorded for this range of times (UTC); anything else is a unit or clock mistake. */
export const EARLIEST_CALL = '2000-01-01T00:00:00.000Z';
export const LATEST_CALL = '2100-01-01T00:00:00.000Z';

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/;

function inRange(ms: number, ctx: z.RefinementCtx, shown: string): boolean {
  if (ms < Date.parse(EARLIEST_CALL) || ms >= Date.parse(LATEST_CALL)) {
    ctx.addIssue({
      code: 'custom',
      message: `must be between ${EARLIEST_CALL.slice(0, 10)} and ${LATEST_CALL.slice(0, 10)} (got "${shown}")`,
    });
    return false;
  }
  return true;
}

const isoTime = z.union([z.date(), z.string()]).transform((value, ctx) => {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'is an invalid date' });
      return z.NEVER;
    }
    if (!inRange(value.getTime(), ctx, value.toISOString())) return z.NEVER;
    return value.toISOString();
  }
  // An explicit offset is required: a time without a zone is ambiguous.
  const m = ISO_TIME.exec(value);
  if (!m) {
    ctx.addIssue({
      code: 'custom',
      message: `must be an ISO 8601 time with a zone, e.g. 2026-12-03T14:00:00Z (got "${value}")`,
    });
    return z.NEVER;
  }
  const ms = Date.parse(value);
  // Date.parse rolls impossible days over (2025-02-30 -> March 2): refuse them instead.
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (Number.isNaN(ms) || day < 1 || day > daysInMonth) {
    ctx.addIssue({ code: 'custom', message: `is not a valid time (got "${value}")` });
    return z.NEVER;
  }
  if (!inRange(ms, ctx, value)) return z.NEVER;
  return new Date(ms).toISOString();
});

/** Text PostgreSQL can store: no NUL character, no unpaired UTF-16 surrogate. */
function storableText(value: string, ctx: z.RefinementCtx): void {
  if (value.includes('\u0000')) ctx.addIssue({ code: 'custom', message: 'must not contain a NUL character' });
  else if (!value.isWellFormed())
    ctx.addIssue({ code: 'custom', message: 'must be valid Unicode (unpaired surrogate)' });
}

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .superRefine(storableText);

/** The provider's usage object as received: any JSON value that jsonb can hold. */
const rawUsage = z.unknown().superRefine((value, ctx) => {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `must be JSON-serialisable (${(error as Error).message})` });
    return;
  }
  // JSON.stringify writes NUL and unpaired surrogates as \u escapes, which jsonb refuses.
  if (json?.includes('\\u') && /(?<!\\)(?:\\\\)*\\u(0000|d[89a-f][0-9a-f]{2})/i.test(json)) {
    ctx.addIssue({ code: 'custom', message: 'must not contain NUL characters or unpaired surrogates' });
  }
});

const providerField = z.string().transform((value, ctx) => {
  const p = canonicalProvider(value);
  if (!p) {
    ctx.addIssue({
      code: 'custom',
      message: `unknown provider "${value}"; allowed: ${PROVIDERS.join(', ')}`,
    });
    return z.NEVER;
  }
  return p;
});

export const usageRowSchema = usageRecordSchema
  .safeExtend({
    idempotency_key: text(200).optional(),
    occurred_at: isoTime.optional(),
    instance_id: z.uuid({ error: 'must be a uuid' }),
    batch_job_id: z.uuid({ error: 'must be a uuid' }).nullable().optional(),
    message_id: text(200).nullable().optional(),
    provider: providerField,
    model: text(200),
    operation: z.enum(OPERATIONS, { error: `must be one of: ${OPERATIONS.join(', ')}` }).default('other'),
    service_tier: text(40).nullable().optional(),
    raw_usage: rawUsage.optional(),
  })
  .superRefine((r, ctx) => {
    // The table's rule too (input_subsets_fit_in_input_tokens): reads and writes of the cache are disjoint parts.
    const { input_tokens: input, cached_input_tokens: cached, cache_write_tokens: written } = r;
    if (input != null && cached != null && written != null && cached + written > input) {
      ctx.addIssue({
        code: 'custom',
        path: ['cache_write_tokens'],
        message: `cached_input_tokens + cache_write_tokens (${cached + written}) cannot exceed input_tokens (${input})`,
      });
    }
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
