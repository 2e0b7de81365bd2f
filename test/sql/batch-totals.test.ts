import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase } from '../helpers/db.ts';
import { addPrice, batchMismatches, createBatchRow, instance } from '../helpers/fixtures.ts';

test('batch total == SUM(rows) after 16 concurrent writers into one batch, with updates and deletes', async (t) => {
  const d = await freshDatabase('batch_totals');
  try {
    await addPrice(d.db, {
      provider: 'openai',
      model: 'gpt-4o-mini',
      from: '2024-07-18T00:00:00Z',
      prices: { input_usd_per_mtok: '0.15', cached_input_usd_per_mtok: '0.075', output_usd_per_mtok: '0.60' },
    });
    const inst = instance();
    const hot = await createBatchRow(d.db, inst);
    const others = await Promise.all(Array.from({ length: 4 }, () => createBatchRow(d.db, inst)));
    const writer = async (w: number) => {
      for (let i = 0; i < 25; i++) {
        const rows = Array.from({ length: 1 + (i % 4) }, (_, k) => ({
          idempotency_key: `w${w}-${i}-${k}-${randomUUID()}`,
          provider: 'openai',
          model: 'gpt-4o-mini',
          instance_id: inst,
          batch_job_id: k === 3 ? others[(w + i) % others.length] : hot,
          input_tokens: 1000 + w * 7 + i,
          cached_input_tokens: 100 * (i % 3),
          output_tokens: 50 + k,
        }));
        await recordUsage(d.db, rows);
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));

    // Updates and deletes go through the same triggers.
    await d.db.query(sql.unsafe`UPDATE omni_costs.model_usage SET processing_cost_usd = processing_cost_usd * 2
                                 WHERE usage_id % 5 = 0`);
    await d.db.query(sql.unsafe`DELETE FROM omni_costs.model_usage WHERE usage_id % 7 = 0`);
    await d.db.query(
      sql.unsafe`UPDATE omni_costs.model_usage SET batch_job_id = ${others[0]} WHERE usage_id % 11 = 0`,
    );

    t.deepEqual(await batchMismatches(d.db), []);
    const hotRow = (await d.db.one(sql.unsafe`
      SELECT b.total_cost_usd, (SELECT sum(processing_cost_usd) FROM omni_costs.model_usage WHERE batch_job_id = ${hot}) AS rows_sum,
             (SELECT count(*) FROM omni_costs._batch_cost_shards WHERE batch_job_id = ${hot}) AS shards
        FROM omni_costs.batch_jobs b WHERE b.id = ${hot}`)) as Record<string, unknown>;
    t.is(hotRow.total_cost_usd, hotRow.rows_sum);
    t.true(Number(hotRow.shards) > 1, 'concurrent writers spread over several shards');
  } finally {
    await d.drop();
  }
});
