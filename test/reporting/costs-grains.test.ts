// omni costs answers from the smallest rollup grain that can (per model, per instance, or the full grain
// when filtered to one instance). Whatever the grain, every breakdown equals the raw rows, with a tail of
// unrefreshed rows, a dirty (repriced) day and unpriced calls in the window. Serial: the last test refreshes.
import test from 'ava';
import { type CommonQueryMethods, sql } from 'slonik';
import { z } from 'zod';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { type CostDimension, costsReport } from '../../src/reporting/costs-report.ts';
import { parseBound } from '../../src/reporting/period.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { dailyMismatches } from '../helpers/invariants.ts';

let tdb: TestDatabase;
const instances = [instance(), instance(), instance()];
const models = ['gpt-4o-mini', 'gpt-4.1', 'not-priced-yet'];

test.before(async () => {
  tdb = await freshDatabase('grains');
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.60' },
  });
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-4.1',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '2', output_usd_per_mtok: '8' },
  });
  const calls = (tag: string, days: number[]) =>
    days.flatMap((d) =>
      instances.flatMap((inst, i) =>
        models.map((model, m) => ({
          idempotency_key: `${tag}-${d}-${i}-${m}`,
          provider: 'openai',
          model,
          instance_id: inst,
          operation: m === 1 ? 'document_extraction' : 'chat',
          input_tokens: 1000 * (d + 1) + i,
          output_tokens: 10 * (m + 1),
          occurred_at: `2026-11-${String(d).padStart(2, '0')}T${String(3 * i + m).padStart(2, '0')}:15:00Z`,
        })),
      ),
    );
  await recordUsage(tdb.db, calls('a', [20, 21, 22, 23]));
  await refreshRollups(tdb.db);
  await recordUsage(tdb.db, calls('b', [22, 24])); // the tail
  await tdb.db.query(sql.unsafe`
    UPDATE omni_costs.model_usage SET processing_cost_usd = processing_cost_usd * 2
     WHERE occurred_at >= '2026-11-21' AND occurred_at < '2026-11-22' AND processing_cost_usd IS NOT NULL`);
});
test.after.always(async () => tdb?.drop());

async function rawBreakdown(db: CommonQueryMethods, by: CostDimension, inst: string | null) {
  const rows = await db.any(
    sql.type(
      z.object({ key: z.string(), calls: z.number(), cost_usd: z.string(), unpriced_calls: z.number() }),
    )`
      SELECT CASE ${by}::text
               WHEN 'day' THEN (occurred_at AT TIME ZONE 'UTC')::date::text
               WHEN 'instance' THEN instance_id::text
               WHEN 'provider' THEN provider
               WHEN 'model' THEN provider || '/' || model
               ELSE operation END AS key, count(*)::int AS calls,
             trim_scale(coalesce(sum(processing_cost_usd), 0))::text AS cost_usd,
             count(*) FILTER (WHERE cost_status = 'unpriced')::int AS unpriced_calls
        FROM omni_costs.model_usage
       WHERE occurred_at >= '2026-11-20' AND occurred_at < '2026-11-25'
         AND (${inst}::uuid IS NULL OR instance_id = ${inst}::uuid)
       GROUP BY 1`,
  );
  return rows.map((r) => ({ ...r })).sort((a, b) => a.key.localeCompare(b.key));
}

for (const by of ['day', 'instance', 'provider', 'model', 'operation'] as CostDimension[]) {
  for (const filtered of [false, true]) {
    test.serial(
      `by ${by}${filtered ? ', filtered to one instance' : ''}: every group equals the raw rows`,
      async (t) => {
        const inst = filtered ? instances[1] : null;
        const report = await costsReport(tdb.db, {
          by,
          instanceId: inst,
          since: parseBound('--since', '2026-11-20'),
          until: parseBound('--until', '2026-11-24'),
        });
        const truth = await rawBreakdown(tdb.db, by, inst);
        const got = report.breakdown
          .map((b) => ({
            key: b.key,
            calls: b.calls,
            cost_usd: b.cost_usd,
            unpriced_calls: b.unpriced_calls,
          }))
          .sort((a, b) => a.key.localeCompare(b.key));
        t.deepEqual(got, truth);
        t.true(report.sources.rollup_groups > 0, 'the rollup answers the refreshed days');
        t.true(report.sources.raw_rows > 0, 'the tail and the dirty day are read raw');
        t.is(report.warnings.top_unpriced?.model, 'not-priced-yet', 'the top unpriced model is named');
        t.is(report.freshness.dirty_days, 1);
      },
    );
  }
}

test.serial('after a refresh every grain equals usage_daily, and usage_daily the raw rows', async (t) => {
  await refreshRollups(tdb.db);
  t.deepEqual(await dailyMismatches(tdb.db), []);
});
