// One benchmark worker process: its own connection(s), commands from the parent over IPC.
//   record:     recordUsage() through the project's pool (createDb), as Omni's workers call it;
//   raw-insert: the same rows as one multi-row INSERT into bench_raw_usage (no triggers), prepared.
import pg from 'pg';
import type { Db } from '../../src/db/pool.ts';
import { createDb } from '../../src/db/pool.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { INPUT_COLUMNS, rng, usageRow, uuidOf } from './fixtures.ts';
import type { IngestCommand, RunCommand } from './workers.ts';

let db: Db;
let raw: pg.Client;

const reply = (value: unknown) => process.send!({ ok: true, value });
const fail = (error: unknown) => process.send!({ ok: false, error: (error as Error).stack ?? String(error) });

function rawInsert(rows: Record<string, unknown>[]): pg.QueryConfig {
  const n = INPUT_COLUMNS.length;
  const tuples = rows.map((_, r) => `(${INPUT_COLUMNS.map((_, c) => `$${r * n + c + 1}`).join(', ')})`);
  const values = rows.flatMap((row) =>
    INPUT_COLUMNS.map((c) =>
      c === 'raw_usage' && row[c] != null ? JSON.stringify(row[c]) : (row[c] ?? null),
    ),
  );
  return {
    name: `raw_insert_${rows.length}`,
    text: `INSERT INTO omni_costs.bench_raw_usage (${INPUT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
    values,
  };
}

async function run(cmd: RunCommand) {
  const rand = rng(cmd.seed);
  // Row templates made before the clock starts; each call only stamps fresh keys and times.
  const templates = Array.from({ length: 1000 }, () => usageRow({ key: '', occurredAt: new Date(), rand }));
  let rows = 0;
  let calls = 0;
  let errors = 0;
  let firstError: string | undefined;
  let seq = 0;
  while (Date.now() < cmd.startAt)
    await new Promise((r) => setTimeout(r, Math.min(5, cmd.startAt - Date.now())));
  const t0 = performance.now();
  while (Date.now() < cmd.until) {
    const now = Date.now();
    const batchId = cmd.batchIds.length ? cmd.batchIds[Math.floor(rand() * cmd.batchIds.length)] : null;
    const batch = Array.from({ length: cmd.batch }, () => ({
      ...templates[Math.floor(rand() * templates.length)],
      idempotency_key: `${cmd.keyPrefix}${seq++}`,
      occurred_at: new Date(now - rand() * cmd.spreadMs).toISOString(),
      batch_job_id: batchId,
    }));
    try {
      if (cmd.mode === 'record') await recordUsage(db, batch);
      else await raw.query(rawInsert(batch));
      rows += batch.length;
      calls++;
    } catch (error) {
      errors++;
      firstError ??= (error as Error).message;
    }
  }
  return { rows, calls, errors, firstError, ms: performance.now() - t0 };
}

/** Ingests cmd.total rows through recordUsage, sampling this process's memory as it goes. */
async function ingest(cmd: IngestCommand) {
  const rand = rng(cmd.seed);
  const samples: Array<{ rows: number; rss: number; heapUsed: number; t: number }> = [];
  const t0 = performance.now();
  const step = (cmd.toMs - cmd.fromMs) / cmd.total;
  let next = 0;
  for (let done = 0; done < cmd.total; ) {
    const n = Math.min(cmd.batch, cmd.total - done);
    const batch = Array.from({ length: n }, (_, i) =>
      usageRow({
        key: uuidOf(`${cmd.keyPrefix}${done + i}`),
        occurredAt: new Date(cmd.fromMs + (done + i) * step),
        rand,
      }),
    );
    await recordUsage(db, batch);
    done += n;
    if (done >= next || done === cmd.total) {
      const m = process.memoryUsage();
      samples.push({ rows: done, rss: m.rss, heapUsed: m.heapUsed, t: performance.now() - t0 });
      next += cmd.sampleEvery;
    }
  }
  return {
    rows: cmd.total,
    ms: performance.now() - t0,
    samples,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

process.on('message', async (message) => {
  const m = message as { type: string; url?: string };
  try {
    if (m.type === 'init') {
      db = await createDb(m.url!, { maximumPoolSize: 1 });
      raw = new pg.Client({
        connectionString: m.url,
        options: '-c TimeZone=UTC -c search_path=omni_costs,public',
      });
      await raw.connect();
      reply(null);
    } else if (m.type === 'run') {
      reply(await run(m as unknown as RunCommand));
    } else if (m.type === 'ingest') {
      reply(await ingest(m as unknown as IngestCommand));
    } else if (m.type === 'exit') {
      await db?.end().catch(() => undefined);
      await raw?.end().catch(() => undefined);
      process.exit(0);
    }
  } catch (error) {
    fail(error);
  }
});
