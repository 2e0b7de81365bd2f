// With the real catalogue synced: model names as providers report them find their price by an explicit
// rule that is recorded on the row, and explain_cost() adds up to the stored cost for every kind of row.
import test from 'ava';
import { explainCost } from '../../src/pricing/explain.ts';
import { syncPrices } from '../../src/pricing/sync.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { recordCall } from './calls.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('pricing_matching');
  await syncPrices(d.db);
});
test.after.always(async () => {
  await d?.drop();
});

const tokens = { input_tokens: 1000, output_tokens: 100 };

const cases = [
  // [provider, model as reported, occurred_at, rule, priced model, hand-worked cost]
  // gpt-4o-2024-08-06 has rows of its own: 1000 x 2.50 + 100 x 10 = 0.0025 + 0.001.
  ['openai', 'gpt-4o-2024-08-06', '2025-06-01T00:00:00Z', 'exact', 'gpt-4o-2024-08-06', '0.0035'],
  // The undated alias before the 2024-10-02 change: 1000 x 5 + 100 x 15 = 0.005 + 0.0015.
  ['openai', 'gpt-4o', '2024-09-01T00:00:00Z', 'exact', 'gpt-4o', '0.0065'],
  // Date suffix removed: claude-haiku-4-5 at 1 / 5: 1000 x 1 + 100 x 5 = 0.001 + 0.0005.
  [
    'anthropic',
    'claude-haiku-4-5-20251001',
    '2025-12-01T00:00:00Z',
    'snapshot',
    'claude-haiku-4-5',
    '0.0015',
  ],
  // A snapshot named by an explicit alias rule (from genai-prices): gpt-4o-mini at 0.15 / 0.60: 0.00015 + 0.00006.
  ['openai', 'gpt-4o-mini-2024-07-18', '2025-06-01T00:00:00Z', 'alias', 'gpt-4o-mini', '0.00021'],
  // Gemini Developer API path: 1000 x 0.30 + 100 x 2.50 = 0.0003 + 0.00025.
  ['gemini', 'models/gemini-2.5-flash', '2025-12-01T00:00:00Z', 'prefix', 'gemini-2.5-flash', '0.00055'],
  // Vertex AI publisher path, same rates on Vertex.
  [
    'vertex',
    'projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-flash',
    '2025-12-01T00:00:00Z',
    'prefix',
    'gemini-2.5-flash',
    '0.00055',
  ],
  // Groq serves OpenAI's open-weight model under a slash name priced as such: 0.15 / 0.60.
  ['groq', 'openai/gpt-oss-120b', '2025-09-01T00:00:00Z', 'exact', 'openai/gpt-oss-120b', '0.00021'],
] as const;

for (const [provider, model, at, rule, pricedAs, cost] of cases) {
  test(`${provider} ${model} is priced as ${pricedAs} by rule ${rule}`, async (t) => {
    const row = await recordCall(d.db, { provider, model, occurred_at: at, ...tokens });
    t.is(row.pricing_match, rule);
    t.is(row.processing_cost_usd, cost);
    const explained = await explainCost(d.db, row.usage_id);
    t.like(explained.rule, { pricing_match: rule, model_as_recorded: model, priced_as: pricedAs });
    t.is(explained.total_usd, cost);
    t.true(explained.equals_stored);
  });
}

test('an explicit alias rule is recorded as alias', async (t) => {
  const row = await recordCall(d.db, { provider: 'anthropic', model: 'claude-sonnet-4-0', ...tokens });
  t.is(row.pricing_match, 'alias');
  const explained = await explainCost(d.db, row.usage_id);
  t.like(explained.rule, { priced_as: 'claude-sonnet-4' });
  t.regex(String(explained.rule?.explanation), /alias rule/);
  t.is(explained.total_usd, row.processing_cost_usd);
});

test('explain: a Whisper call without a duration is estimated with the rule shown, and adds up', async (t) => {
  const row = await recordCall(d.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    operation: 'transcription',
    occurred_at: '2025-06-01T00:00:00Z',
  });
  t.is(row.cost_status, 'estimated');
  // The transcription rule's 60 s: 60 x 0.111 / 3600 = 6.66 / 3600 = 0.00185. The unit price is the numeric
  // quotient 0.111 / 3600 = 0.0000308333... to 24 decimal places.
  t.is(row.processing_cost_usd, '0.00185');
  const explained = await explainCost(d.db, row.usage_id);
  t.like(explained.estimate, { operation: 'transcription', audio_seconds: '60' });
  t.deepEqual(explained.lines, [
    {
      line: 'audio_duration',
      quantity: '60',
      unit: 'second',
      unit_price_usd: '0.000030833333333333333333',
      amount_usd: '0.00185',
    },
  ]);
  t.like(explained, { total_usd: '0.00185', stored_cost_usd: '0.00185', equals_stored: true });
});

test('explain: a flat per-call estimate, a standard-tier fallback, an unpriced call and an error response', async (t) => {
  const flat = await recordCall(d.db, { model: 'no-such-model', operation: 'chat', ...tokens });
  t.is(flat.cost_status, 'estimated');
  const flatExplained = await explainCost(d.db, flat.usage_id);
  t.is(flatExplained.price, null);
  t.deepEqual(
    flatExplained.lines.map((l) => [l.line, l.quantity, l.amount_usd]),
    [['flat_estimate', '1', '0.001']],
  );
  t.like(flatExplained, { total_usd: '0.001', stored_cost_usd: '0.001', equals_stored: true });

  const flex = await recordCall(d.db, {
    model: 'gpt-4o',
    service_tier: 'flex',
    occurred_at: '2025-06-01T00:00:00Z',
    ...tokens,
  });
  t.is(flex.pricing_match, 'exact+standard_tier');
  const flexExplained = await explainCost(d.db, flex.usage_id);
  t.regex(String(flexExplained.rule?.explanation), /standard tier/);
  t.like(flexExplained, { total_usd: '0.0035', stored_cost_usd: '0.0035', equals_stored: true });

  const unknown = await recordCall(d.db, { model: 'no-such-model', operation: 'other', ...tokens });
  t.is(unknown.cost_status, 'unpriced');
  t.like(await explainCost(d.db, unknown.usage_id), {
    total_usd: null,
    stored_cost_usd: null,
    equals_stored: true,
  });

  const failed = await recordCall(d.db, { model: 'gpt-4o', requests: 0, input_tokens: 0, output_tokens: 0 });
  t.like(await explainCost(d.db, failed.usage_id), {
    total_usd: '0',
    stored_cost_usd: '0',
    equals_stored: true,
  });
});
