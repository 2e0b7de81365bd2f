// Turns PostgreSQL errors raised by our constraints and functions into typed errors with clear messages.
import {
  DatabaseUnavailableError,
  IdempotencyConflictError,
  InvalidInputError,
  NotFoundError,
} from './errors.ts';

interface PgErrorFields {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  column?: string;
}

/** The driver error behind a slonik error (slonik wraps it as `cause`). */
export function pgError(error: unknown): PgErrorFields | undefined {
  let e: unknown = error;
  for (let i = 0; i < 5 && e; i++) {
    const candidate = e as PgErrorFields & { cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    e = candidate.cause;
  }
  return undefined;
}

/** Errors that mean the connection died (server stopped or restarted, backend killed, network down). */
const CONNECTION_ERROR_NAMES = new Set([
  'BackendTerminatedError',
  'BackendTerminatedUnexpectedlyError',
  'ConnectionError',
]);
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/** True when the statement failed because the connection to PostgreSQL was lost or refused. */
export function isConnectionLoss(error: unknown): boolean {
  let e: unknown = error;
  for (let i = 0; i < 6 && e; i++) {
    const c = e as { name?: string; code?: string; message?: string; cause?: unknown };
    if (c.name && CONNECTION_ERROR_NAMES.has(c.name)) return true;
    if (typeof c.code === 'string' && (NETWORK_ERRNOS.has(c.code) || /^(57P0[123]|08...)$/.test(c.code)))
      return true;
    if (
      /Connection terminated|terminating connection|the database system is (starting up|shutting down)/.test(
        c.message ?? '',
      )
    ) {
      return true;
    }
    e = c.cause;
  }
  return false;
}

/** What each named constraint means, in the words of the field it protects. */
const CONSTRAINT_FIELDS: Record<string, [string, string]> = {
  all_token_counts_are_not_negative: ['tokens', 'token counts must be >= 0'],
  call_counts_are_not_negative: ['requests', 'requests, web_search_requests and image_count must be >= 0'],
  audio_seconds_are_not_negative: ['audio_seconds', 'must be >= 0'],
  audio_seconds_source_is_known: ['audio_seconds_source', 'allowed: reported, measured'],
  input_subsets_fit_in_input_tokens: [
    'input_tokens',
    'cached, cache-write, audio, image, video and tool-use tokens are subsets of input_tokens and cannot exceed it',
  ],
  cache_subsets_fit_in_their_totals: ['cache_write_1h_tokens', 'cache subsets cannot exceed their totals'],
  output_subsets_fit_in_output_tokens: [
    'output_tokens',
    'reasoning and output audio tokens are subsets of output_tokens and cannot exceed it',
  ],
  provider_is_known: ['provider', 'allowed: openai, groq, gemini, vertex, anthropic'],
  operation_is_known: ['operation', 'unknown operation'],
  model_is_not_blank: ['model', 'must not be blank'],
  idempotency_key_is_not_blank: ['idempotency_key', 'must be 1 to 200 characters'],
  price_ranges_of_one_key_never_overlap: [
    'effective',
    'overlaps an existing price range of the same provider, model, tier and prompt-size tier',
  ],
  batch_status_is_known: ['status', 'allowed: pending, running, completed, failed, cancelled'],
};

export function mapDatabaseError(error: unknown): unknown {
  if (isConnectionLoss(error)) {
    const reason = pgError(error)?.message ?? (error as Error).message;
    return new DatabaseUnavailableError(
      `lost the connection to PostgreSQL (${reason}); a statement is atomic, so it either committed whole or not at all`,
      { cause: error },
    );
  }
  const pg = pgError(error);
  if (!pg) return error;
  if (pg.code === 'OC409') {
    const key = /idempotency key "(.*)" was already used/.exec(pg.message ?? '')?.[1] ?? '?';
    const fields = (pg.detail ?? '')
      .replace(/^fields that differ: /, '')
      .split(', ')
      .filter(Boolean);
    return new IdempotencyConflictError(key, fields, { cause: error });
  }
  if ((pg.code === '23514' || pg.code === '23P01') && pg.constraint) {
    const [field, rule] = CONSTRAINT_FIELDS[pg.constraint] ?? [pg.constraint, 'violates a check'];
    return new InvalidInputError(field, `${rule} (constraint ${pg.constraint}); nothing was written`, {
      cause: error,
    });
  }
  if (pg.code === '23503' && /batch/.test(pg.constraint ?? pg.detail ?? '')) {
    const id = /\(batch_job_id\)=\(([^)]*)\)/.exec(pg.detail ?? '')?.[1];
    return new NotFoundError(
      `batch_job_id: no batch job with id ${id ?? '(unknown)'}; create it with omni batch create. Nothing was written.`,
      { cause: error },
    );
  }
  if (pg.code === '22P02' || pg.code === '22003' || pg.code === '22007' || pg.code === '22008') {
    return new InvalidInputError('', `${pg.message}; nothing was written`, { cause: error });
  }
  return error;
}
