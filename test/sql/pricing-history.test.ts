import test from 'ava';
import { CheckExclusionConstraintViolationError, sql } from 'slonik';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('pricing_history');
});
test.after.always(async () => {
  await d?.drop();
});

test('a price change at 14:00 prices a 13:59 call and a 14:01 call differently', async (t) => {
  await addPrice(d.db, {
    provider: 'openai',
    model: 'gpt-4o',
    from: '2024-05-13T00:00:00Z',
    until: '2024-10-02T14:00:00Z',
    prices: { input_usd_per_mtok: '5', output_usd_per_mtok: '15' },
  });
  await addPrice(d.db, {
    provider: 'openai',
    model: 'gpt-4o',
    from: '2024-10-02T14:00:00Z',
    prices: { input_usd_per_mtok: '2.50', cached_input_usd_per_mtok: '1.25', output_usd_per_mtok: '10' },
  });
  const inst = instance();
  const call = {
    provider: 'openai',
    model: 'gpt-4o',
    instance_id: inst,
    input_tokens: 1_000_000,
    output_tokens: 1_000_000,
  };
  const [before, after, justBefore, exactly] = await recordUsage(d.db, [
    { ...call, occurred_at: '2024-10-02T13:59:00Z' },
    { ...call, occurred_at: '2024-10-02T14:01:00Z' },
    { ...call, occurred_at: '2024-10-02T13:59:59.999Z' },
    { ...call, occurred_at: '2024-10-02T14:00:00.000Z' },
  ]);
  t.is(before.processing_cost_usd, '20');
  t.is(after.processing_cost_usd, '12.5');
  t.is(justBefore.processing_cost_usd, '20', '1 ms before the change: the old price');
  t.is(exactly.processing_cost_usd, '12.5', 'at the change: the new price (ranges are half-open)');
  t.is(before.cost_status, 'priced');
  t.not(before.pricing_id, after.pricing_id);
});

test('overlapping price ranges of the same model and tier are rejected', async (t) => {
  await addPrice(d.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2025-01-01T00:00:00Z',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  });
  await t.throwsAsync(
    addPrice(d.db, {
      provider: 'groq',
      model: 'whisper-large-v3',
      from: '2025-06-01T00:00:00Z',
      prices: { audio_usd_per_hour: '0.2' },
    }),
    { instanceOf: CheckExclusionConstraintViolationError },
  );
  // Another tier of the same model may share the range.
  await t.notThrowsAsync(
    addPrice(d.db, {
      provider: 'groq',
      model: 'whisper-large-v3',
      service_tier: 'flex',
      from: '2025-06-01T00:00:00Z',
      prices: { audio_usd_per_hour: '0.05' },
    }),
  );
});

test('price rows are never edited in place: only closing a range is allowed', async (t) => {
  const id = await addPrice(d.db, {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    from: '2025-10-15T00:00:00Z',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '5' },
  });
  await t.throwsAsync(
    d.db.query(
      sql.unsafe`UPDATE omni_costs.model_pricing SET input_usd_per_mtok = 2 WHERE pricing_id = ${id}`,
    ),
    { message: /never edited/ },
  );
  await t.notThrowsAsync(
    d.db.query(sql.unsafe`UPDATE omni_costs.model_pricing
                             SET effective = tstzrange(lower(effective), '2026-01-01') WHERE pricing_id = ${id}`),
  );
});
