// reprice(): after a backdated correction, the dry run shows per day and per batch exactly what the real
// run then changes; the real run moves batch totals, marks rollup days dirty and writes its audit row.
import test from 'ava';
import { sql } from 'slonik';
import { reprice } from '../../src/pricing/reprice.ts';
import { setPrice } from '../../src/pricing/set-price.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { batchMismatches, createBatchRow } from '../helpers/fixtures.ts';
import { INSTANCE, recordCall } from './calls.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('pricing_reprice');
});
test.after.always(async () => {
  await d?.drop();
});

test('a reprice dry run equals the real run; the real run updates rows, batches, rollup days and the audit', async (t) => {
  const model = 'reprice-model';
  await setPrice(d.db, {
    provider: 'openai',
    model,
    from: '2025-01-01',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '2' },
  });
  const batch = await createBatchRow(d.db, INSTANCE);
  const call = { model, input_tokens: 1_000_000, output_tokens: 500_000 };
  // At the old price each call costs 1M x 1 + 0.5M x 2 = 2.
  const feb10 = await recordCall(d.db, { ...call, occurred_at: '2025-02-10T10:00:00Z', batch_job_id: batch });
  const feb11a = await recordCall(d.db, {
    ...call,
    occurred_at: '2025-02-11T09:00:00Z',
    batch_job_id: batch,
  });
  const feb11b = await recordCall(d.db, { ...call, occurred_at: '2025-02-11T18:00:00Z' });
  const feb12 = await recordCall(d.db, { ...call, occurred_at: '2025-02-12T08:00:00Z', batch_job_id: batch });
  const other = await recordCall(d.db, {
    ...call,
    model: 'reprice-other',
    occurred_at: '2025-02-11T09:00:00Z',
  });
  t.is(other.cost_status, 'unpriced');
  await setPrice(d.db, {
    provider: 'openai',
    model: 'reprice-other',
    from: '2025-01-01',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '1' },
  });
  t.deepEqual(
    [feb10, feb11a, feb11b, feb12].map((r) => r.processing_cost_usd),
    ['2', '2', '2', '2'],
  );

  // The provider's price actually went up on 2025-02-11: 1M x 3 + 0.5M x 4 = 5 per call from then on.
  await setPrice(d.db, {
    provider: 'openai',
    model,
    from: '2025-02-11',
    prices: { input_usd_per_mtok: '3', output_usd_per_mtok: '4' },
    reason: 'backdated: the increase applied from Feb 11',
  });
  const stored = await d.db.anyFirst(sql.unsafe`
    SELECT processing_cost_usd FROM omni_costs.model_usage WHERE model = ${model} ORDER BY occurred_at`);
  t.deepEqual(stored, ['2', '2', '2', '2'], 'priced rows do not change until reprice');

  const scope = { provider: 'openai', model, since: '2025-02-01T00:00:00Z', until: '2025-03-01T00:00:00Z' };
  const dry = await reprice(d.db, { ...scope, dryRun: true });
  t.like(dry, {
    dry_run: true,
    run_id: null,
    rows_changed: 3,
    old_total_usd: '6',
    new_total_usd: '15',
    delta_usd: '9',
  });
  t.deepEqual(dry.days, [
    { day: '2025-02-11', rows_changed: 2, old_total_usd: '4', new_total_usd: '10', delta_usd: '6' },
    { day: '2025-02-12', rows_changed: 1, old_total_usd: '2', new_total_usd: '5', delta_usd: '3' },
  ]);
  t.deepEqual(dry.batches, [
    { batch_job_id: batch, rows_changed: 2, old_total_usd: '4', new_total_usd: '10', delta_usd: '6' },
  ]);
  const untouched = await d.db.anyFirst(sql.unsafe`
    SELECT processing_cost_usd FROM omni_costs.model_usage WHERE model = ${model} ORDER BY occurred_at`);
  t.deepEqual(untouched, ['2', '2', '2', '2'], 'the dry run writes nothing');
  t.is(await d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.reprice_runs`), 0);

  await t.throwsAsync(reprice(d.db, { ...scope, dryRun: false }), { message: /reason/ });
  await d.db.query(sql.unsafe`DELETE FROM omni_costs.rollup_dirty_days`);
  const real = await reprice(d.db, {
    ...scope,
    reason: 'provider invoice shows the Feb 11 increase',
    dryRun: false,
  });
  const { run_id: runId, dry_run: _, ...realDelta } = real;
  const { run_id: _r, dry_run: _d, ...dryDelta } = dry;
  t.deepEqual(realDelta, dryDelta, 'the real run changes exactly what the dry run showed');
  t.true(typeof runId === 'number');

  const after = (await d.db.any(sql.unsafe`
    SELECT occurred_at, processing_cost_usd, pricing_id, cost_status FROM omni_costs.model_usage
     WHERE model = ${model} ORDER BY occurred_at`)) as { processing_cost_usd: string }[];
  t.deepEqual(
    after.map((r) => r.processing_cost_usd),
    ['2', '5', '5', '5'],
  );
  t.deepEqual(await batchMismatches(d.db), [], 'batch totals follow the rows');
  t.is(
    await d.db.oneFirst(
      sql.unsafe`SELECT total_cost_usd FROM omni_costs.batch_costs WHERE batch_job_id = ${batch}`,
    ),
    '12',
  );
  t.deepEqual(
    await d.db.anyFirst(sql.unsafe`SELECT day::text FROM omni_costs.rollup_dirty_days ORDER BY day`),
    ['2025-02-11', '2025-02-12'],
  );

  const run = (await d.db.one(sql.unsafe`
    SELECT ran_by, reason, scope, rows_changed, old_total_usd, new_total_usd FROM omni_costs.reprice_runs WHERE run_id = ${runId}`)) as Record<
    string,
    unknown
  >;
  t.like(run, {
    ran_by: await d.db.oneFirst(sql.unsafe`SELECT session_user::text`),
    reason: 'provider invoice shows the Feb 11 increase',
    rows_changed: 3,
    old_total_usd: '6',
    new_total_usd: '15',
  });
  t.like(run.scope as object, { provider: 'openai', model });

  const again = await reprice(d.db, { ...scope, dryRun: true });
  t.like(again, { rows_changed: 0, delta_usd: '0' });
  t.deepEqual(again.days, []);
  const otherAfter = await d.db.oneFirst(sql.unsafe`
    SELECT processing_cost_usd FROM omni_costs.model_usage WHERE usage_id = ${other.usage_id}`);
  t.is(otherAfter, '1.5', 'calls outside the scope are untouched');
});

test('the model filter also matches the priced model of a dated snapshot', async (t) => {
  await setPrice(d.db, {
    provider: 'openai',
    model: 'snap-model',
    from: '2025-01-01',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '1' },
  });
  const row = await recordCall(d.db, {
    model: 'snap-model-2025-03-01',
    occurred_at: '2025-04-01T00:00:00Z',
    input_tokens: 1_000_000,
    output_tokens: 0,
  });
  t.is(row.pricing_match, 'snapshot');
  await setPrice(d.db, {
    provider: 'openai',
    model: 'snap-model',
    from: '2025-03-15',
    prices: { input_usd_per_mtok: '2', output_usd_per_mtok: '2' },
  });
  const dry = await reprice(d.db, { model: 'snap-model', dryRun: true });
  t.like(dry, { rows_changed: 1, old_total_usd: '1', new_total_usd: '2' });
});
