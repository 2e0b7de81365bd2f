// Concurrency scenarios: 16 writers on separate connections (into one batch, across many batches, single- and
// multi-row statements, alone or inside the worker's own transaction), while other connections change prices
// (which auto-prices waiting calls), reprice stored calls, delete calls and refresh the rollups. After each
// scenario: every batch total == SUM(rows), usage_daily and the views == raw rows after a final refresh, one
// row per key (nothing lost or doubled), and no serialization failure or deadlock reached a caller.
import test, { type ExecutionContext } from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { pgError } from '../../src/db/map-error.ts';
import { createDb, type Db } from '../../src/db/pool.ts';
import { isRetryableTransactionError, retryTransient } from '../../src/db/retry.ts';
import { type RecordedUsage, recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, batchMismatches, instance } from '../helpers/fixtures.ts';
import { dailyMismatches, deadlocksSoFar, keyAnomalies, viewMismatches } from '../helpers/invariants.ts';

let tdb: TestDatabase;
let db: Db;

const WRITERS = 16;
const DAYS = ['2026-11-24', '2026-11-25', '2026-11-26'];

let hasRepriceFunction = false;

test.before(async () => {
  tdb = await freshDatabase('stress_concurrency');
  hasRepriceFunction = await tdb.db.oneFirst(sql.type(z.object({ ok: z.boolean() }))`
    SELECT to_regproc('omni_costs.reprice') IS NOT NULL AS ok`);
  db = await createDb(tdb.url, { maximumPoolSize: WRITERS + 8 });
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'm-stable',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.6', cached_input_usd_per_mtok: '0.075' },
  });
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'm-changing',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '2.5', output_usd_per_mtok: '10' },
  });
});
test.after.always(async () => {
  await db?.end();
  await tdb?.drop();
});

interface Scenario {
  name: string;
  /** all writers into one batch, or each statement spread over many batches */
  batches: 'one' | 'many';
  /** rows per statement: exactly 1, or 1..maxRows */
  maxRows: number;
  /** writers record inside their own transaction, with their own write to the batch row */
  workerTransaction: boolean;
  /** reprices and deletes run in explicit transactions that do a little more work before committing */
  opsInTransactions: boolean;
  seconds: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'one batch, single-row statements',
    batches: 'one',
    maxRows: 1,
    workerTransaction: false,
    opsInTransactions: false,
    seconds: 12,
  },
  {
    name: 'one batch, multi-row statements',
    batches: 'one',
    maxRows: 40,
    workerTransaction: false,
    opsInTransactions: false,
    seconds: 12,
  },
  {
    name: 'many batches, multi-row statements spanning batches',
    batches: 'many',
    maxRows: 40,
    workerTransaction: false,
    opsInTransactions: false,
    seconds: 12,
  },
  {
    name: 'one batch, inside worker transactions, transactional reprices',
    batches: 'one',
    maxRows: 20,
    workerTransaction: true,
    opsInTransactions: true,
    seconds: 12,
  },
  {
    name: 'many batches, inside worker transactions, transactional reprices',
    batches: 'many',
    maxRows: 20,
    workerTransaction: true,
    opsInTransactions: true,
    seconds: 12,
  },
];

/** Deterministic pseudo-random numbers (a scenario is reproducible up to thread timing). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

interface Tally {
  statements: number;
  rowsSent: number;
  replays: number;
  libraryRetries: number;
  surfaced: string[];
  priceChanges: number;
  reprices: number;
  repricedRows: number;
  deletes: number;
  deletedRows: number;
  refreshes: number;
  opRetries: number;
}

/** Where m-changing's price changes next: one hour later each time, across all scenarios. */
let changeAt = Date.parse('2026-11-24T06:00:00Z');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `op` every `everyMs` until `stop` is set, retrying transient failures; other errors are recorded. */
async function repeat(stop: { done: boolean }, everyMs: number, tally: Tally, op: () => Promise<void>) {
  while (!stop.done) {
    try {
      await retryTransient(op, { attempts: 10, onRetry: () => tally.opRetries++ });
    } catch (error) {
      tally.surfaced.push(`op: ${pgError(error)?.code ?? ''} ${(error as Error).message}`);
    }
    await sleep(everyMs * (0.5 + Math.random()));
  }
}

async function runScenario(t: ExecutionContext, sc: Scenario, index: number) {
  const tag = `s${index}`;
  const instances = [instance(), instance(), instance(), instance()];
  const batchCount = sc.batches === 'one' ? 1 : 50;
  const batches: { id: string; instance: string }[] = [];
  for (let i = 0; i < batchCount; i++) {
    const inst = instances[i % instances.length];
    const id = await db.oneFirst(sql.type(z.object({ id: z.string() }))`
      INSERT INTO omni_costs.batch_jobs (instance_id, job_type, status) VALUES (${inst}, 'stress', 'running') RETURNING id`);
    batches.push({ id, instance: inst });
  }
  const lateModels = [`late-${tag}-1`, `late-${tag}-2`, `late-${tag}-3`];
  const models = ['m-stable', 'm-stable', 'm-changing', ...lateModels];
  const tally: Tally = {
    statements: 0,
    rowsSent: 0,
    replays: 0,
    libraryRetries: 0,
    surfaced: [],
    priceChanges: 0,
    reprices: 0,
    repricedRows: 0,
    deletes: 0,
    deletedRows: 0,
    refreshes: 0,
    opRetries: 0,
  };
  const sentKeys = new Set<string>();
  const deadlocksBefore = await deadlocksSoFar(db);
  const deadline = Date.now() + sc.seconds * 1000;

  /** A statement's rows. Writers w and w+8 send identical statements: the same calls, retried by two workers. */
  function statement(pair: number, n: number) {
    const r = rng(index * 1_000_003 + pair * 7919 + n);
    const size = sc.maxRows === 1 ? 1 : 1 + Math.floor(r() * sc.maxRows);
    return Array.from({ length: size }, (_, i) => {
      const b = batches[Math.floor(r() * batches.length)];
      const input = 1 + Math.floor(r() * 5000);
      const deletable = r() < 0.2;
      return {
        idempotency_key: `${tag}-p${pair}-${n}-${i}`,
        occurred_at: `${DAYS[Math.floor(r() * DAYS.length)]}T${String(Math.floor(r() * 24)).padStart(2, '0')}:${String(Math.floor(r() * 60)).padStart(2, '0')}:00Z`,
        instance_id: b.instance,
        batch_job_id: r() < 0.9 ? b.id : null,
        message_id: deletable ? 'deletable' : `msg-${Math.floor(r() * 100)}`,
        provider: 'openai',
        model: models[Math.floor(r() * models.length)],
        operation: 'chat',
        input_tokens: input,
        output_tokens: Math.floor(r() * 800),
        cached_input_tokens: Math.floor(input * r() * 0.5),
      };
    });
  }

  async function writer(w: number) {
    await db.connect(async (conn) => {
      const pair = w % (WRITERS / 2);
      for (let n = 0; Date.now() < deadline; n++) {
        // Rows that may be deleted get keys of this writer alone: no one replays a deleted call (a replay of a
        // deleted or archived key is refused, see test/sql/retention.test.ts).
        const rows = statement(pair, n).map((r) =>
          r.message_id === 'deletable' ? { ...r, idempotency_key: `${r.idempotency_key}-w${w}` } : r,
        );
        try {
          let stored: RecordedUsage[];
          if (sc.workerTransaction) {
            // The worker records usage atomically with its own write; slonik reruns the whole transaction
            // after a serialization failure or deadlock (recordUsage rethrows those inside a transaction).
            stored = await conn.transaction(async (tx) => {
              const out = await recordUsage(tx, rows);
              await tx.query(sql.unsafe`
                UPDATE omni_costs.batch_jobs SET processed_items = processed_items + 1 WHERE id = ${rows[0].batch_job_id ?? batches[0].id}`);
              return out;
            }, 10);
          } else {
            stored = await recordUsage(conn, rows, { onRetry: () => tally.libraryRetries++ });
          }
          tally.statements++;
          tally.rowsSent += rows.length;
          tally.replays += stored.filter((s) => s.replayed).length;
          for (const row of rows) sentKeys.add(row.idempotency_key);
          if (stored.length !== rows.length)
            tally.surfaced.push(`statement returned ${stored.length}/${rows.length}`);
        } catch (error) {
          const code = pgError(error)?.code ?? (error as { code?: string }).code ?? '';
          tally.surfaced.push(
            `${isRetryableTransactionError(error) ? 'TRANSIENT ' : ''}${code} ${(error as Error).message}`,
          );
        }
      }
    });
  }

  const stop = { done: false };
  const reprice = (where: ReturnType<typeof sql.fragment>) => sql.unsafe`
    UPDATE omni_costs.model_usage u
       SET (processing_cost_usd, cost_status, pricing_id, pricing_match, cost_note) =
           (SELECT (c).processing_cost_usd, (c).cost_status, (c).pricing_id, (c).pricing_match, (c).cost_note
              FROM (SELECT omni_costs.price_of(u) AS c) x)
     WHERE ${where}`;
  let lateIndex = 0;

  const ops = [
    // Price changes: price a waiting model (auto-prices its calls), or cut m-changing's range and open a new one.
    repeat(stop, 1500, tally, async () => {
      if (lateIndex < lateModels.length && Math.random() < 0.5) {
        await addPrice(db, {
          provider: 'openai',
          model: lateModels[lateIndex],
          from: '2026-01-01T00:00:00Z',
          prices: { input_usd_per_mtok: '0.4', output_usd_per_mtok: '1.6' },
        });
        lateIndex++;
      } else {
        changeAt += 3_600_000;
        const at = new Date(changeAt).toISOString();
        await db.transaction(async (tx) => {
          await tx.query(sql.unsafe`
            UPDATE omni_costs.model_pricing SET effective = tstzrange(lower(effective), ${at}::timestamptz)
             WHERE model = 'm-changing' AND upper_inf(effective)`);
          await addPrice(tx, {
            provider: 'openai',
            model: 'm-changing',
            from: at,
            prices: { input_usd_per_mtok: (2 + Math.random()).toFixed(4), output_usd_per_mtok: '10' },
          });
        });
      }
      tally.priceChanges++;
    }),
    // Reprices of a slice of stored calls: omni_costs.reprice() (what omni pricing reprice runs) when the
    // schema has it, and a plain UPDATE through price_of() as well.
    repeat(stop, 250, tally, async () => {
      const day = DAYS[Math.floor(Math.random() * DAYS.length)];
      const k = Math.floor(Math.random() * 5);
      const where = sql.fragment`u.instance_id = ANY (${sql.array(instances, 'uuid')})
        AND u.occurred_at >= ${day}::timestamptz AND u.occurred_at < ${day}::timestamptz + interval '1 day'
        AND u.usage_id % 5 = ${k} AND u.model IN ('m-changing', ${lateModels[0]}, ${lateModels[1]}, ${lateModels[2]})`;
      const run = async (q: Pick<Db, 'query'>) => {
        if (hasRepriceFunction && Math.random() < 0.5) {
          const changed = await q.query(sql.unsafe`
            SELECT rows_changed FROM omni_costs.reprice(p_provider => 'openai', p_model => 'm-changing',
              p_since => ${day}::timestamptz, p_until => ${day}::timestamptz + interval '1 day',
              p_reason => 'stress test', p_dry_run => false) r WHERE r.kind = 'total'`);
          tally.repricedRows += Number(
            (changed.rows[0] as { rows_changed?: number } | undefined)?.rows_changed ?? 0,
          );
        } else {
          const res = await q.query(reprice(where));
          tally.repricedRows += res.rowCount;
        }
      };
      if (sc.opsInTransactions) {
        await db.transaction(async (tx) => {
          await run(tx);
          await tx.query(sql.unsafe`SELECT pg_sleep(0.05)`); // e.g. writing its audit trail
        });
      } else {
        await run(db);
      }
      tally.reprices++;
    }),
    // Deletes of a few calls marked deletable.
    repeat(stop, 300, tally, async () => {
      const run = async (q: Pick<Db, 'query'>) => {
        const res = await q.query(sql.unsafe`
          DELETE FROM omni_costs.model_usage WHERE (usage_id, occurred_at) IN (
            SELECT usage_id, occurred_at FROM omni_costs.model_usage
             WHERE message_id = 'deletable' AND instance_id = ANY (${sql.array(instances, 'uuid')})
             ORDER BY usage_id DESC LIMIT 3)`);
        return res.rowCount;
      };
      let removed = 0;
      if (sc.opsInTransactions) {
        removed = await db.transaction(async (tx) => {
          const n = await run(tx);
          await tx.query(sql.unsafe`SELECT pg_sleep(0.05)`);
          return n;
        });
      } else {
        removed = await run(db);
      }
      tally.deletedRows += removed;
      tally.deletes++;
    }),
    // Two refreshers (they serialise on the rollup lock).
    repeat(stop, 200, tally, async () => {
      await refreshRollups(db);
      tally.refreshes++;
    }),
    repeat(stop, 350, tally, async () => {
      await refreshRollups(db);
      tally.refreshes++;
    }),
  ];

  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  stop.done = true;
  await Promise.all(ops);
  await refreshRollups(db);

  const [stored, batchOff, dailyOff, viewOff, keysOff, waiting] = await Promise.all([
    db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*) AS n FROM omni_costs.model_usage WHERE idempotency_key LIKE ${`${tag}-%`}`),
    batchMismatches(db),
    dailyMismatches(db),
    viewMismatches(db),
    keyAnomalies(db),
    db.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*) AS n FROM omni_costs.model_usage u
       WHERE u.idempotency_key LIKE ${`${tag}-%`} AND u.pricing_id IS NULL AND (omni_costs.price_of(u)).pricing_id IS NOT NULL`),
  ]);
  await db.query(sql.unsafe`SELECT pg_stat_clear_snapshot()`);
  const deadlocks = (await deadlocksSoFar(db)) - deadlocksBefore;
  const lostOrDoubled = sentKeys.size - tally.deletedRows - stored;

  t.log(
    `${sc.name}: ${tally.statements} statements, ${tally.rowsSent} rows sent (${tally.replays} replays), ` +
      `${stored} stored, ${tally.deletedRows} deleted; ${tally.priceChanges} price changes, ${tally.reprices} reprices ` +
      `(${tally.repricedRows} rows), ${tally.refreshes} refreshes; deadlocks detected by PostgreSQL ${deadlocks}, ` +
      `retried by recordUsage ${tally.libraryRetries}, by the other operations ${tally.opRetries}; ` +
      `mismatches: batches ${batchOff.length}, usage_daily ${dailyOff.length}, views ${viewOff.length}, ` +
      `keys ${keysOff.length}, lost/doubled ${lostOrDoubled}; calls left unpriced although priced now: ${waiting}`,
  );
  if (dailyOff.length || viewOff.length)
    t.log('first rollup mismatches:', [...dailyOff, ...viewOff].slice(0, 3));
  t.deepEqual(
    tally.surfaced.slice(0, 5),
    [],
    'no error (and no serialization failure or deadlock) reached a caller',
  );
  t.is(lostOrDoubled, 0, 'every key sent is stored exactly once, except the rows deleted on purpose');
  t.deepEqual(batchOff, [], 'every batch total equals the sum of its rows');
  t.deepEqual(keysOff, [], 'no duplicate row or key');
  t.deepEqual(dailyOff, [], 'usage_daily equals the raw rows after a final refresh');
  t.deepEqual(viewOff, [], 'the materialized views equal the raw rows after a final refresh');
  return {
    rows: stored + tally.deletedRows,
    sent: tally.rowsSent,
    mismatches: batchOff.length + dailyOff.length + viewOff.length + keysOff.length + Math.abs(lostOrDoubled),
  };
}

const totals = { scenarios: 0, rows: 0, sent: 0, mismatches: 0 };

SCENARIOS.forEach((sc, i) => {
  test.serial(`scenario ${i + 1}: ${sc.name}`, async (t) => {
    const r = await runScenario(t, sc, i + 1);
    totals.scenarios++;
    totals.rows += r.rows;
    totals.sent += r.sent;
    totals.mismatches += r.mismatches;
  });
});

test.serial('figures', (t) => {
  t.log(
    `scenarios run: ${totals.scenarios}, rows written: ${totals.rows} (${totals.sent} sent incl. replays), mismatches: ${totals.mismatches}`,
  );
  t.is(totals.scenarios, SCENARIOS.length);
  t.is(totals.mismatches, 0);
});
