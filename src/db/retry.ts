// Transparent retry of the transactions PostgreSQL must abort under concurrency: a serialization failure
// (40001) or a deadlock victim (40P01) rolled everything back, so running the same statement again is
// safe. Only a statement that runs on its own (autocommit) is retried here; inside a caller's transaction
// the whole transaction must be run again, which slonik's transaction() does for these codes.
import { pgError } from './map-error.ts';

export const RETRYABLE_SQLSTATES: ReadonlySet<string> = new Set(['40001', '40P01']);

/** True for a serialization failure or a deadlock: the transaction was rolled back and may be run again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = pgError(error)?.code;
  return code !== undefined && RETRYABLE_SQLSTATES.has(code);
}

export interface RetryOptions {
  /** Attempts in all, the first included. Default 8. */
  attempts?: number;
  /** First back-off, milliseconds; doubled each time, with jitter. Default 5. */
  baseDelayMs?: number;
  /** Longest back-off, milliseconds. Default 250. */
  maxDelayMs?: number;
  /** Called before each retry with the error that caused it (for metrics and tests). */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Narrows which retryable errors are retried (default: all of them). */
  retryIf?: (error: unknown) => boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs fn, and runs it again after a serialization failure or deadlock, up to `attempts` times. */
export async function retryTransient<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 8);
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const retry =
        attempt < attempts && isRetryableTransactionError(error) && (options.retryIf?.(error) ?? true);
      if (!retry) throw error;
      options.onRetry?.(error, attempt);
      // Full jitter: concurrent victims of one deadlock do not collide again in lockstep.
      await sleep(Math.random() * Math.min(max, base * 2 ** (attempt - 1)));
    }
  }
}
