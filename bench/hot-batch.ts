// 2. Hot batch: 16 workers all writing one batch against 16 workers spread over 1000 batches, through
// recordUsage, for 1-row and 100-row calls. After every run each batch total must equal SUM of its rows.
import type pg from 'pg';
import { sql } from 'slonik';
import { batchMismatches } from '../test/helpers/fixtures.ts';
import { runCell } from './ingest.ts';
import { createBatches } from './lib/batches.ts';
import type { BenchDatabase } from './lib/db.ts';
import { fmtInt, fmtRatio, log, median } from './lib/stats.ts';
import { add } from './lib/table.ts';
import type { WorkerPool } from './lib/workers.ts';

export async function benchHotBatch(
  d: BenchDatabase,
  c: pg.Client,
  pool: WorkerPool,
  o: { seconds: number; rounds: number; workers: number },
): Promise<number> {
  const spread = await createBatches(d.db, 1000);
  const hot = [spread[0]];
  let mismatchesTotal = 0;
  for (const batch of [1, 100]) {
    const rates: Record<'hot' | 'spread', number[]> = { hot: [], spread: [] };
    for (let round = 0; round < o.rounds; round++) {
      const order: Array<'hot' | 'spread'> = round % 2 ? ['spread', 'hot'] : ['hot', 'spread'];
      for (const which of order) {
        const rate = await runCell(pool, c, {
          mode: 'record',
          batch,
          workers: o.workers,
          seconds: o.seconds,
          batchIds: which === 'hot' ? hot : spread,
          tag: `hot-r${round}-${which}-${batch}`,
        });
        const mismatches = await batchMismatches(d.db);
        const rows = (await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`)) as number;
        mismatchesTotal += mismatches.length;
        for (const m of mismatches) log(`  MISMATCH ${JSON.stringify(m)}`);
        log(
          `hot batch ${batch}-row calls, ${which}, round ${round + 1}: ${fmtInt(rate)} rows/s, ${fmtInt(rows)} rows, ${mismatches.length} mismatched batches`,
        );
        rates[which].push(rate);
      }
    }
    const h = median(rates.hot);
    const s = median(rates.spread);
    add({
      section: '2 hot batch',
      metric: `${o.workers} workers, ${batch === 1 ? '1 row' : `${batch} rows`}/call, all on ONE batch (rows/s)`,
      value: fmtInt(h),
      baseline: `${fmtInt(s)} (spread over 1000 batches)`,
      ratio: fmtRatio(h / s),
      target: '≥ 0.9×',
      met: h / s >= 0.9,
    });
  }
  add({
    section: '2 hot batch',
    metric: `batches whose total ≠ SUM(rows), over all ${o.rounds * 4} runs`,
    value: String(mismatchesTotal),
    baseline: '',
    ratio: '',
    target: '0',
    met: mismatchesTotal === 0,
  });
  return mismatchesTotal;
}
