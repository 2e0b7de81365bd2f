// record_usage() prices its rows set-wise (candidate names once per model and tier), while any other insert
// into model_usage is priced row by row by the BEFORE INSERT trigger. The two paths must agree on every
// rule: checked here call by call against the synced catalogue, through both paths in one statement each.
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { sql } from 'slonik';
import { z } from 'zod';
import { recordUsage } from '../../src/ingest/record-usage.ts';
import { syncPrices } from '../../src/pricing/sync.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('set_wise_pricing');
  await syncPrices(d.db);
});
test.after.always(async () => {
  await d?.drop();
});

const inst = randomUUID();
const base = {
  instance_id: inst,
  occurred_at: '2026-06-01T12:00:00Z',
  input_tokens: 1200,
  output_tokens: 80,
};
const calls: Record<string, unknown>[] = [
  { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', cached_input_tokens: 200 },
  { provider: 'openai', model: 'GPT-4o-mini-2024-07-18', operation: 'chat' },
  { provider: 'openai', model: 'gpt-4o-2024-11-20', operation: 'chat' },
  { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', service_tier: 'flex' },
  { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', service_tier: 'priority' },
  { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', requests: 0 },
  { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', input_tokens: null, output_tokens: null },
  {
    provider: 'openai',
    model: 'whisper-1',
    operation: 'transcription',
    audio_seconds: 61.5,
    input_tokens: null,
    output_tokens: null,
  },
  {
    provider: 'groq',
    model: 'whisper-large-v3',
    operation: 'transcription',
    audio_seconds: 3.2,
    input_tokens: null,
    output_tokens: null,
  },
  { provider: 'groq', model: 'no-such-model', operation: 'chat' },
  { provider: 'groq', model: 'no-such-model', operation: 'other' },
  { provider: 'openai', model: 'mystery-model', operation: 'translation' },
  {
    provider: 'gemini',
    model: 'models/gemini-2.5-pro',
    operation: 'document_extraction',
    input_tokens: 250_000,
  },
  { provider: 'gemini', model: 'gemini-2.5-flash', operation: 'image_description', input_image_tokens: 258 },
  { provider: 'vertex', model: 'gemini-2.0-flash-001', operation: 'chat', service_tier: 'provisioned' },
  { provider: 'vertex', model: 'claude-sonnet-4-5@20250929', operation: 'chat' },
  { provider: 'anthropic', model: 'claude-haiku-4-5-20251001', operation: 'chat', cache_write_tokens: 100 },
  { provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', occurred_at: '2019-01-01T00:00:00Z' },
];

const priced = z.object({
  k: z.string(),
  cost: z.string().nullable(),
  status: z.string(),
  pricing_id: z.number().nullable(),
  match: z.string().nullable(),
  note: z.string().nullable(),
});

test('record_usage and the row trigger price every call the same way', async (t) => {
  const rows = calls.map((c, i) => ({ ...base, ...c, idempotency_key: `set-${i}` }));
  await recordUsage(d.db, rows);
  // The same calls inserted directly (the trigger path), under other keys, in one statement.
  await d.db.query(sql.unsafe`
    INSERT INTO omni_costs.model_usage (idempotency_key, occurred_at, instance_id, provider, model, operation,
      service_tier, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, input_image_tokens,
      audio_seconds, requests)
    SELECT 'row-' || substr(u.idempotency_key, 5), u.occurred_at, u.instance_id, u.provider, u.model, u.operation,
           u.service_tier, u.input_tokens, u.output_tokens, u.cached_input_tokens, u.cache_write_tokens,
           u.input_image_tokens, u.audio_seconds, u.requests
      FROM omni_costs.model_usage u WHERE u.idempotency_key LIKE 'set-%'`);
  const read = (prefix: string) =>
    d.db.any(sql.type(priced)`
      SELECT substr(idempotency_key, 5) AS k, processing_cost_usd::text AS cost, cost_status::text AS status,
             pricing_id, pricing_match AS match, cost_note AS note
        FROM omni_costs.model_usage WHERE idempotency_key LIKE ${`${prefix}-%`} ORDER BY 1`);
  const setWise = await read('set');
  const byRow = await read('row');
  t.is(setWise.length, calls.length);
  t.deepEqual(setWise, byRow);
  // The cases are not all alike: every status and several rules occur.
  t.deepEqual([...new Set(setWise.map((r) => r.status))].sort(), [
    'estimated',
    'not_billed',
    'priced',
    'unpriced',
  ]);
  t.true(new Set(setWise.map((r) => r.match)).size >= 5, 'several matching rules are exercised');
});
