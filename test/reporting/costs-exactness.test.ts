// omni costs reads rollup + tail + dirty days in one snapshot: no row is counted twice or missed, even when
// a transaction that started before a refresh commits after it (out of xid order).
import test from 'ava';
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { costsReport } from '../../src/reporting/costs-report.ts';
import { parseBound } from '../../src/reporting/period.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { runCliJson } from '../helpers/omni-cli.ts';

let tdb: TestDatabase;
const inst = instance();

test.before(async () => {
  tdb = await freshDatabase('exactness');
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.60' },
  });
});
test.after.always(async () => tdb?.drop());

const call = (input: number, at: string) => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  instance_id: inst,
  operation: 'chat',
  input_tokens: input,
  output_tokens: 7,
  occurred_at: at,
});

/** The ground truth: the sum over raw rows, with the same window. */
async function rawTotal(db: CommonQueryMethods, from = '-infinity', until = 'infinity') {
  return db.one(
    sql.type(z.object({ cost: z.string(), calls: z.number() }))`
      SELECT trim_scale(coalesce(sum(processing_cost_usd), 0))::text AS cost, count(*) AS calls
        FROM omni_costs.model_usage
       WHERE occurred_at >= ${from}::timestamptz AND occurred_at < ${until}::timestamptz`,
  );
}

async function assertExact(t: import('ava').ExecutionContext, label: string) {
  const truth = await rawTotal(tdb.db);
  const report = await costsReport(tdb.db);
  t.is(report.totals.cost_usd, truth.cost, `${label}: cost`);
  t.is(report.totals.calls, truth.calls, `${label}: calls`);
  const cli = await runCliJson<{ totals: { cost_usd: string; calls: number } }>(tdb.url, ['costs']);
  t.is(cli.totals.cost_usd, truth.cost, `${label}: cost (CLI)`);
  t.is(cli.totals.calls, truth.calls, `${label}: calls (CLI)`);
  return report;
}

test.serial(
  'a transaction committing after a refresh that could not see it is counted exactly once',
  async (t) => {
    await recordUsage(tdb.db, [call(1000, '2026-11-29T10:00:00Z')]);
    await refreshRollups(tdb.db);

    // A starts (and takes its xid) first, but commits last.
    const gate = Promise.withResolvers<void>();
    const inserted = Promise.withResolvers<void>();
    const a = tdb.db.transaction(async (tx) => {
      await recordUsage(tx, [call(2000, '2026-11-30T10:00:00Z')]);
      inserted.resolve();
      await gate.promise;
    });
    await inserted.promise;

    await recordUsage(tdb.db, [call(3000, '2026-11-30T11:00:00Z')]); // B, committed
    await assertExact(t, 'B committed, A open');

    await refreshRollups(tdb.db); // its snapshot sees B, not A
    const beforeA = await assertExact(t, 'after refresh, A open');
    t.true(beforeA.sources.rollup_groups > 0, 'the rollup is used');

    gate.resolve();
    await a;
    const afterA = await assertExact(t, 'A committed after the refresh');
    t.is(afterA.freshness.rows_since_refresh, 1, 'A is in the tail');

    await refreshRollups(tdb.db);
    const settled = await assertExact(t, 'after the next refresh');
    t.is(settled.freshness.rows_since_refresh, 0);
    t.is(settled.sources.raw_rows, 0, 'everything comes from the rollup now');
  },
);

test.serial('days changed since the refresh are read from raw rows, not from the stale rollup', async (t) => {
  await refreshRollups(tdb.db);
  await tdb.db.query(sql.unsafe`
    UPDATE omni_costs.model_usage SET processing_cost_usd = processing_cost_usd * 3
     WHERE occurred_at = '2026-11-30T10:00:00Z'`);
  const report = await assertExact(t, 'a repriced day');
  t.is(report.freshness.dirty_days, 1);
  await refreshRollups(tdb.db);
  await assertExact(t, 'after re-aggregation');
});

test.serial('a window with partial days adds the raw rows of its edges exactly', async (t) => {
  await recordUsage(tdb.db, [call(500, '2026-11-29T23:30:00Z'), call(700, '2026-12-01T00:30:00Z')]);
  await refreshRollups(tdb.db);
  await recordUsage(tdb.db, [call(900, '2026-11-30T12:00:00Z')]); // tail on a whole day
  const windows: [string, string][] = [
    ['2026-11-29T12:00:00Z', '2026-12-01T01:00:00Z'],
    ['2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z'],
    ['2026-11-30T10:30:00Z', '2026-11-30T11:30:00Z'],
    ['2026-11-29T10:00:00Z', '2026-11-30T10:00:00Z'],
  ];
  for (const [from, until] of windows) {
    const truth = await rawTotal(tdb.db, from, until);
    const report = await costsReport(tdb.db, {
      since: parseBound('--since', from),
      until: parseBound('--until', until),
    });
    t.is(report.totals.cost_usd, truth.cost, `[${from}, ${until})`);
    t.is(report.totals.calls, truth.calls, `[${from}, ${until}) calls`);
  }
  // Dates are whole days, --until inclusive.
  const truth = await rawTotal(tdb.db, '2026-11-30T00:00:00Z', '2026-12-01T00:00:00Z');
  const day = await costsReport(tdb.db, {
    since: parseBound('--since', '2026-11-30'),
    until: parseBound('--until', '2026-11-30'),
  });
  t.is(day.totals.cost_usd, truth.cost);
  t.is(day.sources.raw_rows, 1, 'only the tail row is read raw');
});
