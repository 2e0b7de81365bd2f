// set_price(): history boundaries, overlaps refused with a clear message, a range split in the middle,
// audit rows with the session role, the grants, and pricing_gaps.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { createDb } from '../../src/db/pool.ts';
import { priceHistory, pricingGaps } from '../../src/pricing/price-queries.ts';
import { PriceOverlapError, setPrice } from '../../src/pricing/set-price.ts';
import { asRole, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { recordCall } from './calls.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('pricing_set_price');
});
test.after.always(async () => {
  await d?.drop();
});

const A = { input_usd_per_mtok: '5', output_usd_per_mtok: '15' };
const B = { input_usd_per_mtok: '2.50', output_usd_per_mtok: '10' };

test('a call 1 ms before a change gets the old price, 1 ms after the new one; the change is audited', async (t) => {
  const model = 'hist-boundary';
  const [openA] = await setPrice(d.db, {
    provider: 'openai',
    model,
    from: '2025-01-01',
    prices: A,
    reason: 'launch',
  });
  const changes = await setPrice(d.db, {
    provider: 'openai',
    model,
    from: '2025-03-01T12:00:00Z',
    prices: B,
    reason: 'price cut announced',
  });
  t.deepEqual(
    changes.map((c) => [c.action, c.effective_from.toISOString(), c.effective_until?.toISOString() ?? null]),
    [
      ['close', '2025-01-01T00:00:00.000Z', '2025-03-01T12:00:00.000Z'],
      ['open', '2025-03-01T12:00:00.000Z', null],
    ],
  );
  t.is(changes[0].pricing_id, openA.pricing_id);

  const call = { model, input_tokens: 1_000_000, output_tokens: 1_000_000 };
  const before = await recordCall(d.db, { ...call, occurred_at: '2025-03-01T11:59:59.999Z' });
  const after = await recordCall(d.db, { ...call, occurred_at: '2025-03-01T12:00:00.001Z' });
  // 1M x 5 + 1M x 15 = 20; 1M x 2.50 + 1M x 10 = 12.5.
  t.is(before.processing_cost_usd, '20');
  t.is(before.pricing_id, openA.pricing_id);
  t.is(after.processing_cost_usd, '12.5');
  t.is(after.pricing_id, changes[1].pricing_id);

  const role = await d.db.oneFirst(sql.unsafe`SELECT session_user::text`);
  const audit = (await d.db.any(sql.unsafe`
    SELECT action, pricing_id, changed_by, reason, detail #>> '{new,effective_until}' AS new_until
      FROM omni_costs.price_changes WHERE model = ${model} ORDER BY change_id`)) as Record<string, unknown>[];
  t.deepEqual(
    audit.map((a) => [a.action, a.pricing_id, a.changed_by, a.reason]),
    [
      ['open', openA.pricing_id, role, 'launch'],
      ['close', openA.pricing_id, role, 'price cut announced'],
      ['open', changes[1].pricing_id, role, 'price cut announced'],
    ],
  );
  t.regex(String(audit[1].new_until), /^2025-03-01T12:00:00/);
  const history = await priceHistory(d.db, model);
  t.is(history.prices.length, 2);
  t.is(history.changes.length, 3);
});

test('overlaps are refused with a message naming the conflicting row and range; nothing is written', async (t) => {
  const model = 'hist-overlap';
  const [first] = await setPrice(d.db, { provider: 'openai', model, from: '2025-06-01', prices: A });
  const count = () =>
    d.db.oneFirst(sql.unsafe`SELECT count(*) FROM omni_costs.model_pricing WHERE model = ${model}`);

  const sameStart = await t.throwsAsync(
    setPrice(d.db, { provider: 'openai', model, from: '2025-06-01', prices: B }),
    {
      instanceOf: PriceOverlapError,
    },
  );
  t.regex(
    sameStart.message,
    new RegExp(`overlaps pricing_id ${first.pricing_id} \\["2025-06-01 00:00:00\\+00",\\)`),
  );
  t.regex(sameStart.message, /never edited/);

  const earlier = await t.throwsAsync(
    setPrice(d.db, { provider: 'openai', model, from: '2025-01-01', prices: B }),
    {
      instanceOf: PriceOverlapError,
    },
  );
  t.regex(earlier.message, new RegExp(`overlaps pricing_id ${first.pricing_id} `));
  t.regex(earlier.message, /End the new range at or before 2025-06-01/);
  t.is(await count(), 1);

  // Ending before the existing range is fine; another tier of the same model is another key.
  await t.notThrowsAsync(
    setPrice(d.db, { provider: 'openai', model, from: '2025-01-01', until: '2025-06-01', prices: B }),
  );
  await t.notThrowsAsync(
    setPrice(d.db, { provider: 'openai', model, from: '2025-06-01', service_tier: 'batch', prices: B }),
  );
  t.is(await count(), 3);
});

test('a range set inside an open one splits it: the old prices continue after it', async (t) => {
  const model = 'hist-split';
  const [base] = await setPrice(d.db, { provider: 'openai', model, from: '2025-01-01', prices: A });
  const early = await recordCall(d.db, {
    model,
    occurred_at: '2025-05-15T00:00:00Z',
    input_tokens: 1000,
    output_tokens: 0,
  });
  t.is(early.processing_cost_usd, '0.005');

  const changes = await setPrice(d.db, {
    provider: 'openai',
    model,
    from: '2025-05-01',
    until: '2025-06-01',
    prices: B,
    reason: 'promotion in May',
  });
  t.deepEqual(
    changes.map((c) => [
      c.action,
      c.effective_from.toISOString().slice(0, 10),
      c.effective_until?.toISOString().slice(0, 10) ?? null,
    ]),
    [
      ['close', '2025-01-01', '2025-05-01'],
      ['open', '2025-05-01', '2025-06-01'],
      ['open', '2025-06-01', null],
    ],
  );
  t.is(changes[0].pricing_id, base.pricing_id);
  const history = await priceHistory(d.db, model);
  t.deepEqual(
    history.prices.map((p) => [p.input_usd_per_mtok, p.output_usd_per_mtok]),
    [
      ['5', '15'],
      ['2.50', '10'],
      ['5', '15'],
    ],
  );
  t.false(
    (await pricingGaps(d.db)).some((gap) => gap.model === model),
    'no hole in the history',
  );

  // The call priced before the correction keeps its cost: only reprice changes priced rows.
  const stored = await d.db.one(sql.unsafe`
    SELECT processing_cost_usd, pricing_id FROM omni_costs.model_usage WHERE usage_id = ${early.usage_id}`);
  t.deepEqual(stored, { processing_cost_usd: '0.005', pricing_id: base.pricing_id });
  const late = await recordCall(d.db, {
    model,
    occurred_at: '2025-06-02T00:00:00Z',
    input_tokens: 1000,
    output_tokens: 0,
  });
  t.is(late.processing_cost_usd, '0.005');
  t.is(late.pricing_id, changes[2].pricing_id);
});

test('a call waiting for a price is priced as soon as set_price opens one', async (t) => {
  const model = 'hist-waiting';
  const waiting = await recordCall(d.db, {
    model,
    occurred_at: '2025-08-01T00:00:00Z',
    input_tokens: 2000,
    output_tokens: 100,
  });
  t.is(waiting.cost_status, 'unpriced');
  const gap = (await pricingGaps(d.db)).find((g) => g.kind === 'unpriced_model' && g.model === model);
  t.is(gap?.calls, 1);
  t.is(gap?.first_seen?.toISOString(), '2025-08-01T00:00:00.000Z');

  await setPrice(d.db, { provider: 'openai', model, from: '2025-07-01', prices: B });
  const after = await d.db.one(sql.unsafe`
    SELECT processing_cost_usd, cost_status FROM omni_costs.model_usage WHERE usage_id = ${waiting.usage_id}`);
  // 2000 x 2.50 = 0.005; 100 x 10 = 0.001.
  t.deepEqual(after, { processing_cost_usd: '0.006', cost_status: 'priced' });
  t.false((await pricingGaps(d.db)).some((g) => g.model === model));
});

test('pricing_gaps lists holes in a history', async (t) => {
  const model = 'hist-hole';
  await setPrice(d.db, { provider: 'gemini', model, from: '2025-01-01', until: '2025-02-01', prices: A });
  await setPrice(d.db, { provider: 'gemini', model, from: '2025-03-01', prices: B });
  const holes = (await pricingGaps(d.db)).filter((g) => g.model === model);
  t.deepEqual(
    holes.map((h) => [
      h.kind,
      h.service_tier,
      h.min_input_tokens,
      h.gap_from?.toISOString(),
      h.gap_until?.toISOString(),
    ]),
    [['history_hole', 'standard', 0, '2025-02-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z']],
  );
});

test('the admin role may set prices and is recorded; the writer may not', async (t) => {
  const role = `omni_t_admin_${randomBytes(3).toString('hex')}`;
  await d.db.query(sql.unsafe`CREATE ROLE ${sql.identifier([role])} LOGIN IN ROLE omni_costs_admin`);
  const url = new URL(d.url);
  url.username = role;
  const admin = await createDb(url.toString());
  const writer = await createDb(asRole(d.url, 'omni_costs_writer'));
  try {
    const [opened] = await setPrice(admin, {
      provider: 'openai',
      model: 'hist-admin',
      from: '2025-01-01',
      prices: B,
      reason: 'set by the admin',
    });
    const audit = await d.db.one(sql.unsafe`
      SELECT changed_by, reason FROM omni_costs.price_changes WHERE pricing_id = ${opened.pricing_id}`);
    t.deepEqual(audit, { changed_by: role, reason: 'set by the admin' });
    const createdBy = await d.db.oneFirst(sql.unsafe`
      SELECT created_by FROM omni_costs.model_pricing WHERE pricing_id = ${opened.pricing_id}`);
    t.is(createdBy, role);
    await t.throwsAsync(
      setPrice(writer, { provider: 'openai', model: 'hist-writer', from: '2025-01-01', prices: B }),
      {
        message: /permission denied/,
      },
    );
    await t.throwsAsync(writer.query(sql.unsafe`SELECT * FROM omni_costs.price_history`), {
      message: /permission denied/,
    });
    const reader = await createDb(asRole(d.url, 'omni_costs_reader'));
    try {
      await t.notThrowsAsync(reader.query(sql.unsafe`SELECT * FROM omni_costs.price_history`));
      await t.notThrowsAsync(reader.query(sql.unsafe`SELECT * FROM omni_costs.pricing_gaps`));
    } finally {
      await reader.end();
    }
  } finally {
    await admin.end();
    await writer.end();
    await d.db.query(sql.unsafe`DROP ROLE ${sql.identifier([role])}`);
  }
});
