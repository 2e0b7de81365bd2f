// recorderFor(db): the `record` function of a cost fetch, writing through recordUsage. A failed write is
// retried a few times with backoff from a bounded in-memory queue. Every row gets its idempotency key and
// time before the first attempt, so a retry sends the very same row and never counts a call twice (even
// when the first attempt committed but its answer was lost).
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommonQueryMethods } from 'slonik';
import { OmniError } from '../db/errors.ts';
import { type RecordedUsage, recordUsage } from '../ingest/record-usage.ts';
import type { UsageRowInput } from '../ingest/usage-row.ts';

export interface RecorderOptions {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff in ms, doubled on each retry with ±25% jitter, at most 10 s (default 250). */
  backoffMs?: number;
  /** Most rows waiting for a retry at once; beyond it a failed write fails at once (default 1000). */
  maxQueuedRows?: number;
}

export interface Recorder {
  (rows: readonly UsageRowInput[]): Promise<RecordedUsage[]>;
  /** Rows now waiting for a retry. */
  queued(): number;
}

/** A write that failed for good: after its retries, or at once when retrying cannot help. */
export class RecordFailedError extends Error {
  readonly attempts: number;
  constructor(message: string, attempts: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordFailedError';
    this.attempts = attempts;
  }
}

/**
 * A lost or refused connection may pass later; so may an unexpected error. Our own typed errors (a bad row,
 * a key conflict, an archived call) fail the same way every time.
 */
function retryable(error: unknown): boolean {
  return !(error instanceof OmniError) || error.code === 'DATABASE_UNAVAILABLE';
}

function keyed(rows: readonly UsageRowInput[]): UsageRowInput[] {
  const now = new Date().toISOString();
  return rows.map((r) => ({
    ...r,
    idempotency_key: r.idempotency_key ?? randomUUID(),
    occurred_at: r.occurred_at ?? now,
  }));
}

export function recorderFor(db: CommonQueryMethods, options: RecorderOptions = {}): Recorder {
  const retries = options.retries ?? 4;
  const backoffMs = options.backoffMs ?? 250;
  const maxQueued = options.maxQueuedRows ?? 1000;
  let queued = 0;

  const record = async (input: readonly UsageRowInput[]): Promise<RecordedUsage[]> => {
    const rows = keyed(input);
    let inQueue = false;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          return await recordUsage(db, rows);
        } catch (error) {
          const reason = (error as Error).message;
          if (!retryable(error)) throw new RecordFailedError(reason, attempt, { cause: error });
          if (attempt > retries) {
            throw new RecordFailedError(`${reason} (gave up after ${attempt} attempts)`, attempt, {
              cause: error,
            });
          }
          if (!inQueue) {
            if (queued + rows.length > maxQueued) {
              throw new RecordFailedError(
                `${reason} (not retried: the retry queue is full, ${queued} rows waiting)`,
                attempt,
                { cause: error },
              );
            }
            queued += rows.length;
            inQueue = true;
          }
          const delay = Math.min(10_000, backoffMs * 2 ** (attempt - 1));
          await sleep(delay * (0.75 + Math.random() * 0.5));
        }
      }
    } finally {
      if (inQueue) queued -= rows.length;
    }
  };
  return Object.assign(record, { queued: () => queued });
}
