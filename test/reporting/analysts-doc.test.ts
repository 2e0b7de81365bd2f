// docs/analysts.md promises that every SQL block runs as written: run each one, as the reader role, against
// a database with some usage, a batch over its estimate and an unpriced call.
import fs from 'node:fs';
import test from 'ava';
import pg from 'pg';
import { sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { refreshRollups } from '../../src/jobs/refresh-rollups.ts';
import { asRole, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, createBatchRow, instance } from '../helpers/fixtures.ts';

const DOC = new URL('../../docs/analysts.md', import.meta.url);
const blocks = [...fs.readFileSync(DOC, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1].trim());

let tdb: TestDatabase;
let reader: pg.Client;

test.before(async () => {
  tdb = await freshDatabase('analysts_doc');
  const inst = instance();
  await addPrice(tdb.db, {
    provider: 'openai',
    model: 'gpt-4o-mini',
    from: '2024-01-01',
    prices: { input_usd_per_mtok: '0.15', output_usd_per_mtok: '0.60' },
  });
  const batch = await createBatchRow(tdb.db, inst);
  await tdb.db.query(sql.unsafe`
    UPDATE omni_costs.batch_jobs SET estimated_cost_usd = 0.0001, total_items = 4, processed_items = 3 WHERE id = ${batch}`);
  const row = (i: number, model = 'gpt-4o-mini') => ({
    provider: 'openai',
    model,
    instance_id: inst,
    batch_job_id: batch,
    message_id: `demo-0000000-00${i % 2}`,
    operation: 'image_description',
    input_tokens: 25_000 + i,
    output_tokens: 140,
  });
  await recordUsage(tdb.db, [row(1), row(2), row(3), row(4, 'gpt-unpriced')]);
  await refreshRollups(tdb.db);
  reader = new pg.Client({ connectionString: asRole(tdb.url, 'omni_costs_reader') });
  await reader.connect();
});
test.after.always(async () => {
  await reader?.end();
  await tdb?.drop();
});

test('the document has SQL examples', (t) => {
  t.true(blocks.length >= 8, `found ${blocks.length} sql blocks`);
});

test.serial('every SQL block runs as written, as omni_costs_reader', async (t) => {
  const rowCounts: number[] = [];
  for (const block of blocks) {
    const result = await reader.query(block).catch((error: Error) => {
      throw new Error(`this block of docs/analysts.md fails: ${error.message}\n${block}`);
    });
    rowCounts.push(result.rowCount ?? 0);
  }
  t.true(
    rowCounts.filter((n) => n > 0).length >= blocks.length - 2,
    `rows per block: ${rowCounts.join(', ')}`,
  );
});
