// 1. Ingest: rows/s through recordUsage (pricing trigger + batch shard triggers + idempotency keys) against
// the same rows as a multi-row INSERT, and as COPY, into bench_raw_usage (same table, no triggers).
// Cells are interleaved round by round (every variant in the same window), and each cell starts on empty
// tables. Each cell runs BENCH_SECONDS; the value is the median over BENCH_ROUNDS rounds.
import type pg from 'pg';
import { createBaselineTable, RAW_TABLE, truncateAll } from './lib/baseline.ts';
import { createBatches } from './lib/batches.ts';
import { copyRows } from './lib/copy.ts';
import type { BenchDatabase } from './lib/db.ts';
import { INPUT_COLUMNS, rng, usageRow } from './lib/fixtures.ts';
import { fmtInt, fmtRatio, log, median, timed } from './lib/stats.ts';
import { add } from './lib/table.ts';
import type { Mode, WorkerPool } from './lib/workers.ts';

export interface IngestOptions {
  seconds: number;
  rounds: number;
  copyRows: number;
}

const sum = (xs: { rows: number }[]) => xs.reduce((a, x) => a + x.rows, 0);

export async function runCell(
  pool: WorkerPool,
  c: pg.Client,
  o: { mode: Mode; batch: number; workers: number; seconds: number; batchIds: string[]; tag: string },
): Promise<number> {
  await truncateAll(c);
  await c.query('CHECKPOINT');
  const startAt = Date.now() + 300;
  const res = await pool.run(o.workers, {
    mode: o.mode,
    batch: o.batch,
    startAt,
    until: startAt + o.seconds * 1000,
    batchIds: o.batchIds,
    keyPrefix: `${o.tag}-`,
    seed: Math.floor(Math.random() * 1e9),
    spreadMs: 3_600_000,
  });
  const errors = res.reduce((a, r) => a + r.errors, 0);
  if (errors) log(`  ${o.tag}: ${errors} failed calls, first: ${res.find((r) => r.firstError)?.firstError}`);
  const ms = Math.max(...res.map((r) => r.ms));
  return (sum(res) / ms) * 1000;
}

export async function benchIngest(
  d: BenchDatabase,
  c: pg.Client,
  pool: WorkerPool,
  o: IngestOptions,
): Promise<void> {
  log('ingest: setting up the baseline table');
  await createBaselineTable(c);
  // Priced rows never enter model_usage_waiting_for_price (WHERE pricing_id IS NULL); unpriced baseline rows
  // would, so the baseline leaves that index out to do the same index work as the real table.
  await c.query(`DROP INDEX IF EXISTS omni_costs.bench_raw_usage_provider_occurred_at_idx`);
  const batchIds = await createBatches(d.db, 100);

  const cells: Array<{ batch: number; workers: number }> = [];
  for (const batch of [1, 100]) for (const workers of [1, 4, 16]) cells.push({ batch, workers });
  const got = new Map<string, number[]>();
  for (let round = 0; round < o.rounds; round++) {
    for (const cell of cells) {
      const modes: Mode[] = round % 2 ? ['record', 'raw-insert'] : ['raw-insert', 'record'];
      for (const mode of modes) {
        const key = `${mode}/${cell.batch}/${cell.workers}`;
        const rate = await runCell(pool, c, {
          mode,
          ...cell,
          seconds: o.seconds,
          batchIds,
          tag: `r${round}-${key}`,
        });
        log(`ingest round ${round + 1}/${o.rounds} ${key}: ${fmtInt(rate)} rows/s`);
        got.set(key, [...(got.get(key) ?? []), rate]);
      }
    }
  }

  // COPY baselines: one COPY of copyRows rows (one transaction), into the table without triggers, and for
  // information into model_usage itself (pricing + batch triggers fire; usage_keys is bypassed).
  const rand = rng(7);
  const now = Date.now();
  const rows = Array.from({ length: o.copyRows }, (_, i) => ({
    ...usageRow({ key: `copy-${i}`, occurredAt: new Date(now - rand() * 3_600_000), rand }),
    batch_job_id: batchIds[i % batchIds.length],
  }));
  const copyRaw: number[] = [];
  const copyTrig: number[] = [];
  for (let round = 0; round < o.rounds; round++) {
    await truncateAll(c);
    copyRaw.push((o.copyRows / (await timed(() => copyRows(c, RAW_TABLE, INPUT_COLUMNS, rows))).ms) * 1000);
    await truncateAll(c);
    copyTrig.push(
      (o.copyRows / (await timed(() => copyRows(c, 'omni_costs.model_usage', INPUT_COLUMNS, rows))).ms) *
        1000,
    );
    log(
      `ingest COPY round ${round + 1}: raw ${fmtInt(copyRaw.at(-1)!)} rows/s, with triggers ${fmtInt(copyTrig.at(-1)!)} rows/s`,
    );
  }
  await truncateAll(c);
  const copy = median(copyRaw);

  for (const cell of cells) {
    const rec = median(got.get(`record/${cell.batch}/${cell.workers}`)!);
    const raw = median(got.get(`raw-insert/${cell.batch}/${cell.workers}`)!);
    add({
      section: '1 ingest',
      metric: `recordUsage, ${cell.batch === 1 ? '1 row' : `${cell.batch} rows`}/call, ${cell.workers} worker${cell.workers > 1 ? 's' : ''} (rows/s)`,
      value: fmtInt(rec),
      baseline: `${fmtInt(raw)} (${cell.batch === 1 ? 'single-row' : `${cell.batch}-row`} INSERT, no triggers)`,
      ratio: fmtRatio(rec / raw),
      target: '≥ 0.5×',
      met: rec / raw >= 0.5,
    });
  }
  const best = Math.max(
    ...cells.filter((x) => x.batch === 100).map((x) => median(got.get(`record/100/${x.workers}`)!)),
  );
  add({
    section: '1 ingest',
    metric: `best recordUsage rate vs COPY of ${fmtInt(o.copyRows)} rows, no triggers (rows/s)`,
    value: fmtInt(best),
    baseline: `${fmtInt(copy)} (COPY)`,
    ratio: fmtRatio(best / copy),
    target: 'info',
  });
  add({
    section: '1 ingest',
    metric: `COPY into model_usage itself (pricing + batch triggers; bypasses usage_keys) (rows/s)`,
    value: fmtInt(median(copyTrig)),
    baseline: `${fmtInt(copy)} (COPY)`,
    ratio: fmtRatio(median(copyTrig) / copy),
    target: 'info',
  });
}
