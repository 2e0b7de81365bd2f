// replayBatch(): runs the demo batch through the real capture -> ingest path with several concurrent
// workers, each on its own pooled connection, as Omni's media workers would: extract the usage from the
// provider's response, record it (priced by PostgreSQL, added to the batch total by its triggers), then
// count the item on the batch row.
import { type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import { extractUsage } from '../capture/extract.ts';
import { recordUsage } from '../ingest/record-usage.ts';
import type { DemoCall } from './media-batch.ts';

export interface ReplayInput {
  instanceId: string;
  batchId: string;
  calls: readonly DemoCall[];
  workers: number;
  /** Pause per call, ms, so `omni batch status --watch` has something to watch. */
  pauseMs?: number;
}

export interface ReplayResult {
  calls: number;
  failed: number;
  by_worker: number[];
}

export async function replayBatch(db: DatabasePool, input: ReplayInput): Promise<ReplayResult> {
  let next = 0;
  const byWorker: number[] = [];
  let failed = 0;
  const worker = (w: number) =>
    db.connect(async (conn) => {
      byWorker[w] = 0;
      for (let i = next++; i < input.calls.length; i = next++) {
        const call = input.calls[i];
        const captured = extractUsage(call.body, {
          provider: call.provider,
          api: call.api,
          model: call.model,
        });
        await recordUsage(conn, [
          {
            ...captured.usage,
            provider: captured.provider,
            model: captured.model ?? call.model,
            service_tier: captured.service_tier,
            raw_usage: captured.raw_usage,
            operation: call.operation,
            instance_id: input.instanceId,
            batch_job_id: input.batchId,
            message_id: `demo-${input.batchId.slice(0, 8)}-${String(call.item).padStart(3, '0')}`,
            idempotency_key: `demo:${input.batchId}:${i}`,
          },
        ]);
        if (call.failed) failed++;
        await conn.one(sql.type(z.object({ id: z.string() }))`
          UPDATE omni_costs.batch_jobs
             SET processed_items = processed_items + 1, failed_items = failed_items + ${call.failed ? 1 : 0}
           WHERE id = ${input.batchId}::uuid
          RETURNING id`);
        byWorker[w]++;
        if (input.pauseMs) await new Promise((r) => setTimeout(r, input.pauseMs));
      }
    });
  await Promise.all(Array.from({ length: input.workers }, (_, w) => worker(w)));
  return { calls: input.calls.length, failed, by_worker: byWorker };
}
