import test from 'ava';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';

test('an unknown model is unpriced (NULL, not 0), then priced as soon as its price arrives', async (t) => {
  const d = await freshDatabase('unpriced');
  try {
    const inst = instance();
    const batch = await createBatchRow(d.db, inst);
    const [row] = await recordUsage(d.db, [
      {
        provider: 'gemini',
        model: 'gemini-9-ultra',
        instance_id: inst,
        batch_job_id: batch,
        operation: 'image_description',
        occurred_at: '2026-11-20T10:00:00Z',
        input_tokens: 1000,
        output_tokens: 100,
      },
    ]);
    t.is(row.cost_status, 'unpriced');
    t.is(row.processing_cost_usd, null);
    t.regex(row.cost_note ?? '', /no price for gemini\/gemini-9-ultra/);
    const before = await d.db.one(
      sql.unsafe`SELECT total_cost_usd, unpriced_calls FROM omni_costs.batch_costs WHERE batch_job_id = ${batch}`,
    );
    t.deepEqual(before, { total_cost_usd: '0', unpriced_calls: 1 });

    await addPrice(d.db, {
      provider: 'gemini',
      model: 'gemini-9-ultra',
      from: '2026-01-01T00:00:00Z',
      prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '10' },
    });
    const after = await d.db.one(sql.unsafe`
      SELECT processing_cost_usd, cost_status, pricing_match FROM omni_costs.model_usage WHERE usage_id = ${row.usage_id}`);
    t.deepEqual(after, { processing_cost_usd: '0.002', cost_status: 'priced', pricing_match: 'exact' });
    const batchAfter = await d.db.one(
      sql.unsafe`SELECT total_cost_usd, unpriced_calls FROM omni_costs.batch_costs WHERE batch_job_id = ${batch}`,
    );
    t.deepEqual(batchAfter, { total_cost_usd: '0.002', unpriced_calls: 0 });
  } finally {
    await d.drop();
  }
});

test('an error response is not billed: exactly 0 with status not_billed', async (t) => {
  const d = await freshDatabase('not_billed');
  try {
    const [row] = await recordUsage(d.db, [
      {
        provider: 'openai',
        model: 'gpt-4o',
        instance_id: instance(),
        requests: 0,
        input_tokens: 0,
        output_tokens: 0,
      },
    ]);
    t.is(row.cost_status, 'not_billed');
    t.is(row.processing_cost_usd, '0');
  } finally {
    await d.drop();
  }
});

test('a call whose usage is missing gets an estimate from the fallback rule, marked estimated', async (t) => {
  const d = await freshDatabase('estimated');
  try {
    await addPrice(d.db, {
      provider: 'openai',
      model: 'gpt-4o-mini',
      from: '2024-07-18T00:00:00Z',
      prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.60' },
    });
    await d.db.query(sql.unsafe`
      INSERT INTO omni_costs.cost_estimates (operation, input_tokens, output_tokens, note)
      VALUES ('image_description', 1000, 200, 'typical image description')`);
    const [row] = await recordUsage(d.db, [
      { provider: 'openai', model: 'gpt-4o-mini', instance_id: instance(), operation: 'image_description' },
    ]);
    t.is(row.cost_status, 'estimated');
    t.is(row.processing_cost_usd, '0.00027');
    t.regex(row.cost_note ?? '', /usage missing: estimated/);
  } finally {
    await d.drop();
  }
});
