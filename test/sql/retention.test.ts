// Retention (sql/330): detach_usage_month() archives a month of raw rows without changing what the
// rollups and batch totals say, and an archived call can never be recorded twice.
import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { OmniError } from '../../src/db/errors.ts';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';
import { dailyMismatches, viewMismatches } from '../helpers/invariants.ts';

let tdb: TestDatabase;
const inst = instance();

test.before(async () => {
  tdb = await freshDatabase('retention');
  await addPrice(tdb.db, {
    provider: 'anthropic',
    model: 'claude-keep',
    from: '2020-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '3', output_usd_per_mtok: '15' },
  });
});
test.after.always(async () => {
  await tdb?.drop();
});

/** `n` calls spread over the first days of `month` (YYYY-MM), alternating between the given batches. */
function calls(month: string, n: number, batches: (string | null)[], model = 'claude-keep') {
  return Array.from({ length: n }, (_, i) => ({
    idempotency_key: `${month}-${i}-${randomUUID()}`,
    occurred_at: `${month}-0${1 + (i % 3)}T1${i % 10}:00:00Z`,
    instance_id: inst,
    batch_job_id: batches[i % batches.length],
    provider: 'anthropic',
    model,
    operation: 'document_extraction',
    input_tokens: 2000 + i,
    output_tokens: 300,
  }));
}

const monthRange = (month: string) => {
  const from = `${month}-01`;
  const next = new Date(`${from}T00:00:00Z`);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return { from, until: next.toISOString().slice(0, 10) };
};

/** What the rollups, the views and the batches say about a month, as exact decimal strings. */
async function rollupsOf(month: string, batches: string[]) {
  const { from, until } = monthRange(month);
  const { db } = tdb;
  return {
    daily: await db.any(sql.unsafe`
      SELECT day::text, provider, model, operation, cost_status::text, calls, requests, input_tokens, output_tokens,
             trim_scale(cost_usd)::text AS cost_usd
        FROM omni_costs.usage_daily WHERE day >= ${from}::date AND day < ${until}::date AND instance_id = ${inst}
       ORDER BY 1, 2, 3, 4, 5`),
    perInstance: await db.any(sql.unsafe`
      SELECT day::text, calls, trim_scale(cost_usd)::text AS cost_usd, unpriced_calls
        FROM omni_costs.daily_instance_costs WHERE day >= ${from}::date AND day < ${until}::date AND instance_id = ${inst}
       ORDER BY 1`),
    perModel: await db.any(sql.unsafe`
      SELECT day::text, model, calls, trim_scale(cost_usd)::text AS cost_usd
        FROM omni_costs.daily_model_costs WHERE day >= ${from}::date AND day < ${until}::date ORDER BY 1, 2`),
    batches: await db.any(sql.unsafe`
      SELECT batch_job_id, trim_scale(total_cost_usd)::text AS total_cost_usd, calls, unpriced_calls
        FROM omni_costs.batch_costs WHERE batch_job_id = ANY (${sql.array(batches, 'uuid')}) ORDER BY 1`),
  };
}

const totalsSchema = z.object({ calls: z.number(), cost_usd: z.string() });

/** Calls and cost of a month straight from the raw rows. */
async function rawTotals(month: string) {
  const { from, until } = monthRange(month);
  return tdb.db.one(sql.type(totalsSchema)`
    SELECT count(*) AS calls, coalesce(trim_scale(sum(processing_cost_usd)), 0)::text AS cost_usd
      FROM omni_costs.model_usage WHERE occurred_at >= ${from}::timestamptz AND occurred_at < ${until}::timestamptz`);
}

/** Calls and cost of a month according to usage_daily. */
async function dailyTotals(month: string) {
  const { from, until } = monthRange(month);
  return tdb.db.one(sql.type(totalsSchema)`
    SELECT coalesce(sum(calls), 0)::bigint AS calls, coalesce(trim_scale(sum(cost_usd)), 0)::text AS cost_usd
      FROM omni_costs.usage_daily WHERE day >= ${from}::date AND day < ${until}::date`);
}

const detach = (month: string) =>
  tdb.db.oneFirst(
    sql.type(z.object({ t: z.string() }))`SELECT omni_costs.detach_usage_month(${`${month}-01`}::date) AS t`,
  );

/** Detaches a month; when the database refuses (e.g. "refresh first"), refreshes and detaches again. */
async function detachOrRefreshFirst(t: ExecutionContext, month: string) {
  try {
    await detach(month);
  } catch (error) {
    t.log(`detach_usage_month refused at first: ${(error as Error).message}`);
    await refreshRollups(tdb.db);
    await detach(month);
  }
}

// Tests run one at a time: refreshes and detaches act on the whole database.
test.serial(
  'detaching a month leaves rollups, views and batch totals unchanged; the archive keeps the rows',
  async (t) => {
    const { db } = tdb;
    const month = '2026-08';
    const batches = [await createBatchRow(db, inst), await createBatchRow(db, inst)];
    const rows = [...calls(month, 30, batches), ...calls(month, 3, [batches[0]], 'claude-unknown')];
    await recordUsage(db, rows);
    const raw = await rawTotals(month);
    t.is(raw.calls, 33);
    await refreshRollups(db);
    const before = await rollupsOf(month, batches);
    t.true(before.daily.length > 0);
    t.deepEqual(await dailyTotals(month), raw);

    const archive = await detach(month);
    t.is(archive, 'omni_costs.archived_model_usage_y2026m08');
    await refreshRollups(db);

    t.deepEqual(
      await rollupsOf(month, batches),
      before,
      'usage_daily, both views and the batch totals are unchanged',
    );
    t.deepEqual(await rawTotals(month), { calls: 0, cost_usd: '0' }, 'the month is gone from model_usage');
    const archived = await db.one(sql.type(totalsSchema)`
    SELECT count(*) AS calls, coalesce(trim_scale(sum(processing_cost_usd)), 0)::text AS cost_usd
      FROM omni_costs.archived_model_usage_y2026m08`);
    t.deepEqual(archived, raw, 'the archive holds every row of the month');

    // Other months keep working and stay exact.
    await recordUsage(db, calls('2026-09', 5, [batches[0]]));
    await refreshRollups(db);
    t.deepEqual(
      (await dailyMismatches(db)).filter((m) => !m.day.startsWith(month)),
      [],
    );
    t.deepEqual(
      (await viewMismatches(db)).filter((m) => !m.day.startsWith(month)),
      [],
    );
  },
);

test.serial('an archived call recorded again is not stored twice: a replay, or a clear error', async (t) => {
  const { db } = tdb;
  const month = '2026-04';
  const batch = await createBatchRow(db, inst);
  const rows = calls(month, 4, [batch]);
  await recordUsage(db, rows);
  await refreshRollups(db);
  await detach(month);
  const before = await rollupsOf(month, [batch]);
  const rowCount = () => db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_usage`);
  const countBefore = await rowCount();

  for (const replay of [rows[0], { ...rows[1], input_tokens: 1 }]) {
    const outcome = await recordUsage(db, [replay]).catch((error: unknown) => error);
    if (Array.isArray(outcome)) {
      t.true(outcome[0].replayed, 'a replay of an archived call is reported as a replay');
    } else {
      t.true(outcome instanceof OmniError, String(outcome));
      t.regex((outcome as Error).message, /archived|no longer/);
      t.notRegex((outcome as Error).message, /retry the transaction/);
    }
  }
  t.is(await rowCount(), countBefore, 'nothing was written');
  const kept = await db.oneFirst(sql.unsafe`
    SELECT count(*) FROM omni_costs.usage_keys WHERE idempotency_key = ANY (${sql.array(
      rows.map((r) => r.idempotency_key),
      'text',
    )})`);
  t.is(kept, 4, 'usage_keys keeps the archived keys');
  await refreshRollups(db);
  t.deepEqual(await rollupsOf(month, [batch]), before);
});

test.serial(
  'replaying a batch that mixes an archived call with new calls stores the new calls',
  async (t) => {
    const { db } = tdb;
    const month = '2026-05';
    const batch = await createBatchRow(db, inst);
    const old = calls(month, 2, [batch]);
    await recordUsage(db, old);
    await refreshRollups(db);
    await detach(month);
    const fresh = calls('2026-11', 2, [batch]);
    const outcome = await recordUsage(db, [...old, ...fresh]).catch((error: unknown) => error as Error);
    t.true(Array.isArray(outcome), `recordUsage failed: ${(outcome as Error).message}`);
    const stored = await db.oneFirst(sql.unsafe`
    SELECT count(*) FROM omni_costs.model_usage WHERE idempotency_key = ANY (${sql.array(
      fresh.map((r) => r.idempotency_key),
      'text',
    )})`);
    t.is(stored, 2, 'the new calls of the replay are stored');
  },
);

test.serial(
  'rows recorded since the last refresh stay in the rollups when their month is detached',
  async (t) => {
    const { db } = tdb;
    const month = '2026-07';
    await refreshRollups(db);
    await recordUsage(db, calls(month, 12, [null]));
    const raw = await rawTotals(month);
    await detachOrRefreshFirst(t, month);
    await refreshRollups(db);
    t.deepEqual(await dailyTotals(month), raw, 'usage_daily lost the rows recorded after the last refresh');
  },
);

test.serial(
  'days re-priced since the last refresh stay in the rollups when their month is detached',
  async (t) => {
    const { db } = tdb;
    const month = '2026-06';
    await recordUsage(db, calls(month, 9, [null], 'claude-late'));
    await refreshRollups(db);
    // The price arrives later and prices the waiting calls: their days are marked for re-aggregation.
    await addPrice(db, {
      provider: 'anthropic',
      model: 'claude-late',
      from: '2026-01-01T00:00:00Z',
      prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '5' },
    });
    const raw = await rawTotals(month);
    t.not(raw.cost_usd, '0');
    await detachOrRefreshFirst(t, month);
    await refreshRollups(db);
    t.deepEqual(
      await dailyTotals(month),
      raw,
      'usage_daily lost (or mis-counts) the re-priced days of the month',
    );
  },
);
