// PostgreSQL stopped and started again in the middle of ingest, on a separate embedded server of this test's
// own (OMNI_DATA_DIR points to a temporary folder). Writers see the failure as a clear DatabaseUnavailableError
// and replay the same statement (same idempotency keys) until it succeeds; every committed statement is whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../src/db/embedded.ts';
import { DatabaseUnavailableError } from '../../src/db/errors.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createDb, type Db } from '../../src/db/pool.ts';
import { ensureDatabase, withDatabase } from '../../src/db/server.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { addPrice, batchMismatches, createBatchRow, instance } from '../helpers/fixtures.ts';
import { keyAnomalies } from '../helpers/invariants.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omni-restart-'));
fs.chmodSync(dataDir, 0o755); // as root, the server runs as "postgres", which must reach the cluster
let db: Db | undefined;

/** ensureEmbeddedServer and stopEmbeddedServer read OMNI_DATA_DIR when called: point them at our folder. */
async function withOurServer<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { dir: process.env.OMNI_DATA_DIR, port: process.env.OMNI_PG_PORT };
  process.env.OMNI_DATA_DIR = dataDir;
  process.env.OMNI_PG_PORT = '0'; // any free port: the shared embedded server keeps its own
  try {
    return await fn();
  } finally {
    if (saved.dir === undefined) delete process.env.OMNI_DATA_DIR;
    else process.env.OMNI_DATA_DIR = saved.dir;
    if (saved.port === undefined) delete process.env.OMNI_PG_PORT;
    else process.env.OMNI_PG_PORT = saved.port;
  }
}

test.after.always(async () => {
  await db?.end().catch(() => undefined);
  await withOurServer(() => stopEmbeddedServer()).catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a PostgreSQL restart during ingest: failures are reported, replays complete, no statement is half-written', async (t) => {
  const server = await withOurServer(() => ensureEmbeddedServer());
  t.true(server.dataDir.startsWith(dataDir), `the test's own cluster (${server.dataDir})`);
  await ensureDatabase(server.adminUrl, 'omni_costs_restart');
  const url = withDatabase(server.adminUrl, 'omni_costs_restart');
  await migrate(url);
  db = await createDb(url, { maximumPoolSize: 6 });
  const pool = db;
  await addPrice(pool, {
    provider: 'gemini',
    model: 'gemini-restart',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.3', output_usd_per_mtok: '2.5' },
  });
  const inst = instance();
  const batch = await createBatchRow(pool, inst);

  const WRITERS = 4;
  const STATEMENTS = 60;
  const ROWS = 20;
  const failures: { name: string; message: string }[] = [];
  let stop = false;

  async function writer(w: number) {
    for (let n = 0; n < STATEMENTS && !stop; n++) {
      const rows = Array.from({ length: ROWS }, (_, i) => ({
        idempotency_key: `restart-w${w}-${n}-${i}`,
        occurred_at: `2026-11-28T${String(n % 24).padStart(2, '0')}:00:00Z`,
        instance_id: inst,
        batch_job_id: batch,
        message_id: `restart-w${w}-${n}`,
        provider: 'gemini',
        model: 'gemini-restart',
        operation: 'image_description',
        input_tokens: 1000 + i,
        output_tokens: 50 + n,
      }));
      // The worker replays the same statement until it is stored: the keys make the replay safe.
      for (let attempt = 0; ; attempt++) {
        try {
          await recordUsage(pool, rows);
          break;
        } catch (error) {
          failures.push({ name: (error as Error).name, message: (error as Error).message });
          if (attempt > 300 || stop) throw error;
          await sleep(100);
        }
      }
      await sleep(20);
    }
  }

  const writing = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  await sleep(1500);
  const before = await pool.oneFirst(
    sql.type(z.object({ n: z.number() }))`SELECT count(*) AS n FROM omni_costs.model_usage`,
  );
  t.true(before > 0 && before < WRITERS * STATEMENTS * ROWS, `ingest is under way (${before} rows)`);

  await withOurServer(() => stopEmbeddedServer()); // fast shutdown: in-flight transactions are aborted
  await sleep(1500);
  await withOurServer(() => ensureEmbeddedServer());

  // Right after the restart, before the writers catch up: every statement is all there or not at all.
  const partialNow = await pool.any(sql.type(z.object({ message_id: z.string(), n: z.number() }))`
    SELECT message_id, count(*) AS n FROM omni_costs.model_usage GROUP BY message_id HAVING count(*) <> ${ROWS}`);
  t.deepEqual(partialNow, [], 'no half-written statement after the restart');

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 240_000);
  });
  const outcome = await Promise.race([writing.then(() => 'done'), timeout]);
  clearTimeout(timer);
  stop = true;
  t.is(outcome, 'done');

  const summary = await pool.one(sql.type(
    z.object({ rows: z.number(), statements: z.number(), partial: z.number() }),
  )`
    SELECT count(*) AS rows, count(DISTINCT message_id) AS statements,
           (SELECT count(*) FROM (SELECT 1 FROM omni_costs.model_usage GROUP BY message_id HAVING count(*) <> ${ROWS}) p) AS partial
      FROM omni_costs.model_usage`);
  t.deepEqual(summary, { rows: WRITERS * STATEMENTS * ROWS, statements: WRITERS * STATEMENTS, partial: 0 });
  t.deepEqual(await batchMismatches(pool), []);
  t.deepEqual(await keyAnomalies(pool), []);

  t.true(failures.length > 0, 'the restart was seen by the writers');
  const unclear = failures.filter(
    (f) => !(f.name === DatabaseUnavailableError.name && /PostgreSQL|connect/i.test(f.message)),
  );
  t.deepEqual(unclear.slice(0, 3), [], 'every failure is a DatabaseUnavailableError that says what happened');
  const kinds = [...new Set(failures.map((f) => f.message.replace(/\d+/g, 'N').slice(0, 140)))];
  t.log(
    `${failures.length} failed attempts during the restart, all replayed; messages:\n  ${kinds.slice(0, 6).join('\n  ')}`,
  );
});
