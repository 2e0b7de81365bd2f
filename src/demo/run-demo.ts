// runDemo(): the whole pipeline on one realistic batch — prices, a batch row with a pre-run estimate, the
// calls replayed through capture and ingest by concurrent workers, a rollup refresh through pg-boss — and
// the reports an operator would then read. Each run makes a new batch; the instance stays the same so that
// later runs estimate from the history of earlier ones.
import { type DatabasePool, sql } from 'slonik';
import { z } from 'zod';
import { createBatch } from '../batches/create-batch.ts';
import { syncPrices } from '../pricing/sync.ts';
import { type BatchStatus, batchStatus } from '../reporting/batch-status.ts';
import { type CostsReport, costsReport } from '../reporting/costs-report.ts';
import { saveEstimate } from '../reporting/save-estimate.ts';
import { loadDemoListPrices } from './demo-prices.ts';
import { type DemoEstimate, estimateDemoBatch } from './estimate-demo-batch.ts';
import { demoCalls } from './media-batch.ts';
import { type BossRefresh, refreshThroughBoss } from './refresh-through-boss.ts';
import { type ReplayResult, replayBatch } from './replay.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The demo's instance: fixed, so that its history grows from run to run. */
export const DEMO_INSTANCE = '0de40000-0000-4000-8000-00000000d3e0';
export const DEMO_JOB_TYPE = 'media_processing';

export interface DemoResult {
  instance_id: string;
  batch_id: string;
  prices_synced: { opened: number; closed: number; unchanged: number; conflicts: number };
  prices_loaded: string[];
  estimate: DemoEstimate;
  replay: ReplayResult;
  refresh: BossRefresh;
  costs: CostsReport;
  batch_status: BatchStatus;
}

export async function runDemo(
  db: DatabasePool,
  databaseUrl: string,
  options: { workers?: number; log?: (line: string) => void } = {},
): Promise<DemoResult> {
  const log = options.log ?? (() => undefined);
  const workers = options.workers ?? 4;
  // The registry comes from `omni pricing sync` (catalogue + genai-prices). The demo's own list prices only
  // fill a gap the sync left (a model it does not price), and never replace a price.
  const sync = await syncPrices(db);
  log(
    `Prices: omni pricing sync opened ${sync.opened} and closed ${sync.closed} price ranges (${sync.unchanged} unchanged)` +
      `${sync.conflicts.length ? `; ${plural(sync.conflicts.length, 'conflict')} left for omni pricing sync to report` : ''}.`,
  );
  const pricesLoaded = await loadDemoListPrices(db);
  if (pricesLoaded.length)
    log(`Prices: added demo list prices for ${pricesLoaded.join(', ')} (the sync had none).`);

  const calls = demoCalls();
  const batch = await createBatch(db, {
    instance_id: DEMO_INSTANCE,
    job_type: DEMO_JOB_TYPE,
    total_items: calls.length,
    status: 'running',
  });
  const estimate = await estimateDemoBatch(db, DEMO_INSTANCE, calls);
  if (estimate.total_usd !== null) await saveEstimate(db, batch.id, estimate.total_usd);
  log(
    `Batch ${batch.id}: ${calls.length} items, pre-run estimate ${estimate.total_usd ?? 'unknown'} USD ` +
      `(${[...new Set(estimate.parts.map((p) => p.basis.replace('_', ' ')))].join(' and ')}` +
      `${estimate.unestimated_items ? `; ${plural(estimate.unestimated_items, 'item')} of unpriced models not estimated` : ''}).`,
  );

  const replay = await replayBatch(db, { instanceId: DEMO_INSTANCE, batchId: batch.id, calls, workers });
  await db.one(sql.type(z.object({ id: z.string() }))`
    UPDATE omni_costs.batch_jobs SET status = 'completed', completed_at = now()
     WHERE id = ${batch.id}::uuid RETURNING id`);
  log(
    `Replayed ${replay.calls} provider responses through capture → ingest with ${workers} workers, each on its own connection ` +
      `(calls per worker: ${replay.by_worker.join('/')}); ${replay.failed} failed.`,
  );

  const refresh = await refreshThroughBoss(db, databaseUrl);
  log(
    `Refreshed the rollups through pg-boss job ${refresh.job_id ?? '(queued one)'} (${refresh.ran_by}): ` +
      `${refresh.result.rows_added} rows added.`,
  );

  const costs = await costsReport(db, { instanceId: DEMO_INSTANCE, by: 'model' });
  const status = await batchStatus(db, batch.id);
  return {
    instance_id: DEMO_INSTANCE,
    batch_id: batch.id,
    prices_synced: {
      opened: sync.opened,
      closed: sync.closed,
      unchanged: sync.unchanged,
      conflicts: sync.conflicts.length,
    },
    prices_loaded: pricesLoaded,
    estimate,
    replay,
    refresh,
    costs,
    batch_status: status,
  };
}
