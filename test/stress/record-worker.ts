// A worker process for the kill -9 test: records `total` calls with deterministic idempotency keys, `chunk`
// rows per statement, printing "ok <first index> <stored> <replayed>" after each statement and "done" at the
// end. Restarted from the beginning after a crash, it replays what was stored and stores the rest.
//   DATABASE_URL=… node test/stress/record-worker.ts <prefix> <total> <chunk> <instance> <batch> [tx]
// With "tx", each statement runs in a transaction with the worker's own write (processed_items += rows).
import { sql } from 'slonik';
import { createDb } from '../../src/db/pool.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';

const [prefix, totalArg, chunkArg, instanceId, batchId, mode] = process.argv.slice(2);
const total = Number(totalArg);
const chunk = Number(chunkArg);
const url = new URL(process.env.DATABASE_URL ?? '');
url.searchParams.set('application_name', `record-worker-${prefix}`);
const db = await createDb(url.toString(), { maximumPoolSize: 1 });

/** The call with index i: its usage depends only on i, so a replay is always identical. */
const callOf = (i: number) => ({
  idempotency_key: `${prefix}-${i}`,
  occurred_at: new Date(Date.parse('2026-11-27T00:00:00Z') + i * 1000).toISOString(),
  instance_id: instanceId,
  batch_job_id: batchId,
  message_id: `${prefix}-stmt-${Math.floor(i / chunk)}`,
  provider: 'groq',
  model: 'llama-kill',
  operation: 'chat',
  input_tokens: 1 + (i % 997),
  output_tokens: i % 89,
});

for (let start = 0; start < total; start += chunk) {
  const rows = Array.from({ length: Math.min(chunk, total - start) }, (_, j) => callOf(start + j));
  const stored =
    mode === 'tx'
      ? await db.transaction(async (tx) => {
          const out = await recordUsage(tx, rows);
          const fresh = out.filter((r) => !r.replayed).length;
          await tx.query(sql.unsafe`
            UPDATE omni_costs.batch_jobs SET processed_items = processed_items + ${fresh} WHERE id = ${batchId}`);
          return out;
        })
      : await recordUsage(db, rows);
  const replayed = stored.filter((r) => r.replayed).length;
  process.stdout.write(`ok ${start} ${stored.length - replayed} ${replayed}\n`);
}
process.stdout.write('done\n');
await db.end();
