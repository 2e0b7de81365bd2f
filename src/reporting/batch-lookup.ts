// resolveBatchId(): a full batch id from an id or a prefix of one, as Omni's CLI accepts.
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { InvalidInputError, NotFoundError, OmniError } from '../db/errors.ts';

const matchSchema = z.object({
  id: z.string(),
  job_type: z.string(),
  status: z.string(),
  created_at: z.date(),
});

/** More than one batch starts with the prefix: the message lists them so the user can pick one. */
export class AmbiguousBatchIdError extends OmniError {
  readonly matches: string[];
  constructor(prefix: string, matches: readonly z.infer<typeof matchSchema>[]) {
    const list = matches
      .slice(0, 10)
      .map((m) => `  ${m.id}  ${m.job_type}  ${m.status}  ${m.created_at.toISOString()}`)
      .join('\n');
    super(
      `batch id prefix "${prefix}" matches ${matches.length > 10 ? 'more than 10' : matches.length} batches; give more characters:\n${list}`,
      'AMBIGUOUS_ID',
    );
    this.name = 'AmbiguousBatchIdError';
    this.matches = matches.map((m) => m.id);
  }
}

export async function resolveBatchId(db: CommonQueryMethods, idOrPrefix: string): Promise<string> {
  const prefix = idOrPrefix.trim().toLowerCase();
  // Only uuid characters: the prefix then cannot carry LIKE wildcards (% or _).
  if (!/^[0-9a-f-]{1,36}$/.test(prefix)) {
    throw new InvalidInputError(
      'id',
      `"${idOrPrefix}" is not a batch id or a prefix of one (hex digits and dashes)`,
    );
  }
  const matches = await db.any(sql.type(matchSchema)`
    SELECT b.id::text AS id, b.job_type, b.status, b.created_at
      FROM omni_costs.batch_jobs b
     WHERE b.id::text LIKE ${prefix} || '%'
     ORDER BY b.created_at DESC
     LIMIT 11`);
  if (matches.length === 0) {
    throw new NotFoundError(
      `no batch job with an id starting "${prefix}". Create one with: omni batch create`,
    );
  }
  if (matches.length > 1) throw new AmbiguousBatchIdError(prefix, matches);
  return matches[0].id;
}
