// A call recorded without a price is priced as soon as a matching price row arrives (sql/320). That must
// hold for calls whose transaction is still open when the price arrives: a worker records usage inside its
// own transaction (recordUsage accepts one), and a statement of many rows takes a while.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';

let tdb: TestDatabase;
const inst = instance();

test.before(async () => {
  tdb = await freshDatabase('auto_pricing');
});
test.after.always(async () => {
  await tdb?.drop();
});

const call = (model: string) => ({
  idempotency_key: randomUUID(),
  occurred_at: '2026-11-15T12:00:00Z',
  instance_id: inst,
  provider: 'groq',
  model,
  operation: 'chat',
  input_tokens: 1000,
  output_tokens: 1000,
});

const price = (model: string) =>
  addPrice(tdb.db, {
    provider: 'groq',
    model,
    from: '2026-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.05', output_usd_per_mtok: '0.08' },
  });

test('a call recorded before its price exists is priced when the price arrives', async (t) => {
  const [before] = await recordUsage(tdb.db, [call('llama-auto')]);
  t.is(before.cost_status, 'unpriced');
  await price('llama-auto');
  const after = await tdb.db.one(sql.unsafe`
    SELECT cost_status::text, processing_cost_usd::text FROM omni_costs.model_usage WHERE usage_id = ${before.usage_id}`);
  t.deepEqual(after, { cost_status: 'priced', processing_cost_usd: '0.00013' });
});

test('a call whose transaction is still open when its price arrives is priced too, not left unpriced', async (t) => {
  const { db } = tdb;
  let usageId = 0;
  await db.connect(async (worker) => {
    // An explicit transaction block on one connection (slonik's transaction() forbids other connections
    // inside it, and the price must come from another connection).
    await worker.query(sql.unsafe`BEGIN`);
    const [row] = await recordUsage(worker, [call('llama-race')]);
    usageId = row.usage_id;
    t.is(row.cost_status, 'unpriced');
    await price('llama-race'); // committed while the worker's row is uncommitted
    await worker.query(sql.unsafe`COMMIT`);
  });
  const stored = await db.one(sql.type(z.object({ cost_status: z.string(), price_now: z.string() }))`
    SELECT u.cost_status::text, (omni_costs.price_of(u)).cost_status::text AS price_now
      FROM omni_costs.model_usage u WHERE u.usage_id = ${usageId}`);
  t.is(stored.price_now, 'priced', 'a price for the call exists');
  t.is(stored.cost_status, 'priced', 'the call is still unpriced although its price exists');
});
