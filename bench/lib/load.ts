// The report dataset: `rows` usage rows over `days` days ending now, ~100 instances, 20 models, in time order.
// The first `workerRows` go through recordUsage from one worker process (which is also the memory test of a
// worker ingesting many rows); the rest are generated in SQL by INSERT … SELECT generate_series into
// usage_keys and model_usage, so the BEFORE INSERT pricing trigger and the batch statement trigger fire for
// every row, exactly as for recordUsage (record_usage()'s own overhead — idempotency checks — is skipped).
import type pg from 'pg';
import { client } from './db.ts';
import { INSTANCES, MODELS } from './fixtures.ts';
import { fmtInt, log, timed } from './stats.ts';
import type { IngestResult, WorkerPool } from './workers.ts';

/** Rows per recordUsage call of the loading worker. */
export const WORKER_BATCH = 500;

export interface Dataset {
  rows: number;
  fromMs: number;
  toMs: number;
  worker?: IngestResult;
  sqlRows: number;
  sqlMs: number;
}

async function createGeneratorTables(c: pg.Client): Promise<void> {
  await c.query(`
    CREATE TABLE IF NOT EXISTS omni_costs.bench_models (idx int PRIMARY KEY, provider text, model text, operation text,
      audio boolean, cached boolean, embedding boolean);
    CREATE TABLE IF NOT EXISTS omni_costs.bench_instances (idx int PRIMARY KEY, instance_id uuid);
    TRUNCATE omni_costs.bench_models, omni_costs.bench_instances;`);
  for (const [i, m] of MODELS.entries()) {
    await c.query('INSERT INTO omni_costs.bench_models VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      i,
      m.provider,
      m.served,
      m.operation,
      Boolean(m.prices.audio_usd_per_hour),
      Boolean(m.prices.cached_input_usd_per_mtok),
      m.operation === 'embedding',
    ]);
  }
  await c.query(
    'INSERT INTO omni_costs.bench_instances SELECT i - 1, x FROM unnest($1::uuid[]) WITH ORDINALITY t(x, i)',
    [INSTANCES],
  );
}

/** Rows [a, b) of the series, row i at fromMs + i * stepMs; same shape as fixtures.usageRow. */
const GENERATE = `
  WITH g AS MATERIALIZED (
    SELECT i, md5('bulk-' || i)::uuid::text AS idempotency_key, nextval('omni_costs.model_usage_usage_id_seq') AS usage_id,
           to_timestamp(($3::float8 + i * $4::float8) / 1000) AS occurred_at,
           floor(random() * ${MODELS.length})::int AS mi, floor(random() * ${INSTANCES.length})::int AS ii,
           random() AS r1, random() AS r2, random() AS r3, random() AS r4
      FROM generate_series($1::bigint, $2::bigint - 1) i
  ), keys AS (
    INSERT INTO omni_costs.usage_keys (idempotency_key, usage_id, occurred_at)
    SELECT g.idempotency_key, g.usage_id, g.occurred_at FROM g
  ), v AS (
    SELECT g.*, m.provider, m.model, m.operation, m.audio, inst.instance_id,
           CASE WHEN m.audio THEN 0 ELSE 200 + floor(g.r1 * 6000)::int END AS input_tokens,
           CASE WHEN m.audio OR m.embedding THEN 0 ELSE 20 + floor(g.r2 * 800)::int END AS output_tokens,
           CASE WHEN m.audio THEN round((3 + g.r1 * 300)::numeric, 3) END AS audio_seconds,
           CASE WHEN m.cached AND g.r3 < 0.3 THEN floor((200 + floor(g.r1 * 6000)) * g.r3 * 0.8)::int ELSE 0 END AS cached
      FROM g JOIN omni_costs.bench_models m ON m.idx = g.mi JOIN omni_costs.bench_instances inst ON inst.idx = g.ii
  )
  INSERT INTO omni_costs.model_usage (usage_id, idempotency_key, occurred_at, instance_id, message_id, provider, model,
    operation, input_tokens, output_tokens, cached_input_tokens, audio_seconds, audio_seconds_source, raw_usage)
  SELECT v.usage_id, v.idempotency_key, v.occurred_at, v.instance_id,
         CASE WHEN v.r4 < 0.7 THEN 'msg-' || floor(v.r4 * 1e9)::bigint END, v.provider, v.model, v.operation,
         v.input_tokens, v.output_tokens, CASE WHEN v.audio THEN NULL ELSE v.cached END, v.audio_seconds,
         CASE WHEN v.audio THEN 'reported' END,
         CASE WHEN v.audio THEN jsonb_build_object('seconds', v.audio_seconds, 'type', 'duration')
              ELSE jsonb_build_object('prompt_tokens', v.input_tokens, 'completion_tokens', v.output_tokens,
                     'total_tokens', v.input_tokens + v.output_tokens,
                     'prompt_tokens_details', jsonb_build_object('cached_tokens', v.cached, 'audio_tokens', 0),
                     'completion_tokens_details', jsonb_build_object('reasoning_tokens', 0, 'audio_tokens', 0)) END
    FROM v ORDER BY v.i`;

export async function loadDataset(
  url: string,
  pool: WorkerPool,
  o: { rows: number; workerRows: number; days: number; chunk: number; loaders: number },
): Promise<Dataset> {
  const toMs = Date.now();
  const fromMs = toMs - o.days * 86_400_000;
  const stepMs = (toMs - fromMs) / o.rows;
  const workerRows = Math.min(o.workerRows, o.rows);
  let worker: IngestResult | undefined;
  if (workerRows > 0) {
    log(
      `load: ${fmtInt(workerRows)} rows through recordUsage from one worker process (${WORKER_BATCH}-row calls)`,
    );
    worker = await pool.ingest({
      batch: WORKER_BATCH,
      total: workerRows,
      fromMs,
      toMs: fromMs + workerRows * stepMs,
      keyPrefix: 'load-',
      seed: 42,
      sampleEvery: Math.max(10_000, Math.floor(workerRows / 50)),
    });
    const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    log(
      `load: worker done in ${(worker.ms / 1000).toFixed(1)} s (${fmtInt((worker.rows / worker.ms) * 1000)} rows/s); ` +
        `RSS by rows: ${worker.samples.map((x) => `${fmtInt(x.rows)}:${mib(x.rss)}`).join(' ')}; peak ${mib(worker.maxRss)}`,
    );
  }
  const sqlRows = o.rows - workerRows;
  let sqlMs = 0;
  if (sqlRows > 0) {
    log(
      `load: ${fmtInt(sqlRows)} rows by INSERT … SELECT generate_series (triggers on), ${o.loaders} sessions`,
    );
    const setup = await client(url);
    await createGeneratorTables(setup);
    await setup.end();
    const chunks: Array<[number, number]> = [];
    for (let a = workerRows; a < o.rows; a += o.chunk) chunks.push([a, Math.min(a + o.chunk, o.rows)]);
    let done = 0;
    sqlMs = (
      await timed(async () => {
        await Promise.all(
          Array.from({ length: o.loaders }, async () => {
            const c = await client(url);
            try {
              for (let next = chunks.shift(); next; next = chunks.shift()) {
                await c.query(GENERATE, [next[0], next[1], fromMs, stepMs]);
                done += next[1] - next[0];
                log(`load: ${fmtInt(workerRows + done)} / ${fmtInt(o.rows)} rows`);
              }
            } finally {
              await c.end();
            }
          }),
        );
      })
    ).ms;
  }
  const c = await client(url);
  try {
    const v = await timed(async () => {
      await c.query('VACUUM ANALYZE omni_costs.model_usage');
      await c.query('VACUUM ANALYZE omni_costs.usage_keys');
    });
    log(`load: VACUUM ANALYZE ${(v.ms / 1000).toFixed(1)} s`);
  } finally {
    await c.end();
  }
  return { rows: o.rows, fromMs, toMs, worker, sqlRows, sqlMs };
}
