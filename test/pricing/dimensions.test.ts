// Every price dimension against a cost worked out by hand (the arithmetic is in the comments). Each test
// also checks that explain_cost() adds up to exactly the stored cost.
import test from 'ava';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { costOf, price } from './calls.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('pricing_dimensions');
});
test.after.always(async () => {
  await d?.drop();
});

async function expectCost(
  t: import('ava').ExecutionContext,
  call: Record<string, unknown>,
  expected: string,
  lines?: Record<string, string>,
) {
  const { row, explained } = await costOf(d.db, call);
  t.is(row.processing_cost_usd, expected);
  t.is(row.cost_status, 'priced');
  t.is(explained.total_usd, expected, 'explain adds up to the stored cost');
  t.true(explained.equals_stored);
  if (lines) {
    t.deepEqual(Object.fromEntries(explained.lines.map((line) => [line.line, line.amount_usd])), lines);
  }
  return explained;
}

test('uncached input tokens', async (t) => {
  await price(d.db, {
    model: 'dim-input',
    prices: { input_usd_per_mtok: '2.50', output_usd_per_mtok: '10' },
  });
  // 1234 x 2.50 / 1e6 = 0.003085; 0 output tokens cost 0.
  await expectCost(t, { model: 'dim-input', input_tokens: 1234, output_tokens: 0 }, '0.003085', {
    input: '0.003085',
    output: '0',
  });
});

test('cache reads at their own rate', async (t) => {
  await price(d.db, {
    model: 'dim-cached',
    prices: { input_usd_per_mtok: '1.25', cached_input_usd_per_mtok: '0.125', output_usd_per_mtok: '10' },
  });
  // 6000 uncached x 1.25 = 0.0075; 4000 cached x 0.125 = 0.0005; 500 out x 10 = 0.005; total 0.013.
  await expectCost(
    t,
    { model: 'dim-cached', input_tokens: 10_000, cached_input_tokens: 4000, output_tokens: 500 },
    '0.013',
    { input: '0.0075', cache_read: '0.0005', output: '0.005' },
  );
});

test('cache writes: 5-minute and 1-hour rates', async (t) => {
  await price(d.db, {
    provider: 'anthropic',
    model: 'dim-cache-write',
    prices: {
      input_usd_per_mtok: '3',
      cached_input_usd_per_mtok: '0.30',
      cache_write_5m_usd_per_mtok: '3.75',
      cache_write_1h_usd_per_mtok: '6',
      output_usd_per_mtok: '15',
    },
  });
  // input 10000 = 3000 uncached + 2000 cache reads + 5000 cache writes (4000 5m, 1000 1h).
  // 3000 x 3 = 0.009; 2000 x 0.30 = 0.0006; 4000 x 3.75 = 0.015; 1000 x 6 = 0.006; 200 out x 15 = 0.003.
  // Total 0.009 + 0.0006 + 0.015 + 0.006 + 0.003 = 0.0336.
  await expectCost(
    t,
    {
      provider: 'anthropic',
      model: 'dim-cache-write',
      input_tokens: 10_000,
      cached_input_tokens: 2000,
      cache_write_tokens: 5000,
      cache_write_1h_tokens: 1000,
      output_tokens: 200,
    },
    '0.0336',
    {
      input: '0.009',
      cache_read: '0.0006',
      cache_write_5m: '0.015',
      cache_write_1h: '0.006',
      output: '0.003',
    },
  );
});

test('output and reasoning tokens', async (t) => {
  await price(d.db, {
    model: 'dim-reasoning',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '10', reasoning_usd_per_mtok: '12' },
  });
  await price(d.db, {
    model: 'dim-reasoning-as-output',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '10' },
  });
  // 600 visible x 10 = 0.006; 400 reasoning x 12 = 0.0048; 0 input. Total 0.0108.
  await expectCost(
    t,
    { model: 'dim-reasoning', input_tokens: 0, output_tokens: 1000, reasoning_tokens: 400 },
    '0.0108',
    { input: '0', output: '0.006', reasoning: '0.0048' },
  );
  // Without a reasoning rate, reasoning is output: 1000 x 10 = 0.01.
  await expectCost(
    t,
    { model: 'dim-reasoning-as-output', input_tokens: 0, output_tokens: 1000, reasoning_tokens: 400 },
    '0.01',
  );
});

test('audio tokens in and out at their own rates, cached audio too', async (t) => {
  await price(d.db, {
    model: 'dim-audio-tokens',
    prices: {
      input_usd_per_mtok: '2.50',
      cached_input_usd_per_mtok: '1.25',
      output_usd_per_mtok: '10',
      input_audio_usd_per_mtok: '40',
      cached_input_audio_usd_per_mtok: '2.50',
      output_audio_usd_per_mtok: '80',
    },
  });
  // input 3000 = 1000 text + 2000 audio; output 1500 = 500 text + 1000 audio.
  // 1000 x 2.50 = 0.0025; 2000 x 40 = 0.08; 500 x 10 = 0.005; 1000 x 80 = 0.08. Total 0.1675.
  await expectCost(
    t,
    {
      model: 'dim-audio-tokens',
      input_tokens: 3000,
      input_audio_tokens: 2000,
      output_tokens: 1500,
      output_audio_tokens: 1000,
    },
    '0.1675',
    { input: '0.0025', input_audio: '0.08', output: '0.005', output_audio: '0.08' },
  );
  // input 3000 = 1000 text + 2000 audio, of which 500 audio tokens read from cache.
  // 1000 x 2.50 = 0.0025; 1500 uncached audio x 40 = 0.06; 500 cached audio x 2.50 = 0.00125; 0 output. Total 0.06375.
  await expectCost(
    t,
    {
      model: 'dim-audio-tokens',
      input_tokens: 3000,
      input_audio_tokens: 2000,
      cached_input_tokens: 500,
      cached_input_audio_tokens: 500,
      output_tokens: 0,
    },
    '0.06375',
    { input: '0.0025', input_audio: '0.06', cache_read_audio: '0.00125', output: '0' },
  );
});

test('image tokens at their own rate', async (t) => {
  await price(d.db, {
    model: 'dim-image-tokens',
    prices: { input_usd_per_mtok: '0.10', input_image_usd_per_mtok: '0.40', output_usd_per_mtok: '0.40' },
  });
  // 1000 text x 0.10 = 0.0001; 4000 image x 0.40 = 0.0016; 100 out x 0.40 = 0.00004. Total 0.00174.
  await expectCost(
    t,
    { model: 'dim-image-tokens', input_tokens: 5000, input_image_tokens: 4000, output_tokens: 100 },
    '0.00174',
    { input: '0.0001', input_image: '0.0016', output: '0.00004' },
  );
});

test('audio per hour: the 10 s minimum, the rounding increment, and the 1e-12 rounding of the line', async (t) => {
  await price(d.db, {
    provider: 'groq',
    model: 'dim-whisper',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10', audio_increment_seconds: '1' },
  });
  await price(d.db, {
    provider: 'groq',
    model: 'dim-whisper-exact',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  });
  const call = { provider: 'groq', operation: 'transcription' };
  // 3.2 s is billed as the 10 s minimum: 10 x 0.111 / 3600 = 1.11 / 3600 = 0.000308333333(3...) -> 12 places.
  const short = await expectCost(t, { ...call, model: 'dim-whisper', audio_seconds: 3.2 }, '0.000308333333');
  t.is(short.lines[0].quantity, '10');
  // 21.69 s rounds up to 22 s: 22 x 0.111 / 3600 = 2.442 / 3600 = 0.000678333333(3...).
  const rounded = await expectCost(
    t,
    { ...call, model: 'dim-whisper', audio_seconds: 21.69 },
    '0.000678333333',
  );
  t.is(rounded.lines[0].quantity, '22');
  // Without an increment: 21.69 x 0.111 / 3600 = 2.40759 / 3600 = 0.000668775 exactly.
  await expectCost(t, { ...call, model: 'dim-whisper-exact', audio_seconds: 21.69 }, '0.000668775');
  // 1 hour: 3600 x 0.111 / 3600 = 0.111.
  await expectCost(t, { ...call, model: 'dim-whisper-exact', audio_seconds: 3600 }, '0.111');
});

test('per image', async (t) => {
  await price(d.db, { model: 'dim-per-image', prices: { usd_per_image: '0.04' } });
  // 3 images x 0.04 = 0.12.
  await expectCost(t, { model: 'dim-per-image', operation: 'image_generation', image_count: 3 }, '0.12', {
    images: '0.12',
  });
});

test('per request, on top of tokens', async (t) => {
  await price(d.db, {
    model: 'dim-per-request',
    prices: { input_usd_per_mtok: '1', output_usd_per_mtok: '2', usd_per_request: '0.005' },
  });
  // 100 x 1 = 0.0001; 50 x 2 = 0.0001; 1 request x 0.005. Total 0.0052.
  await expectCost(t, { model: 'dim-per-request', input_tokens: 100, output_tokens: 50 }, '0.0052', {
    input: '0.0001',
    output: '0.0001',
    requests: '0.005',
  });
});

test('web search per call', async (t) => {
  await price(d.db, {
    model: 'dim-web-search',
    prices: { input_usd_per_mtok: '2.50', output_usd_per_mtok: '10', web_search_usd_per_kcall: '10' },
  });
  // 1000 x 2.50 = 0.0025; 100 x 10 = 0.001; 2 searches x 10 / 1000 = 0.02. Total 0.0235.
  await expectCost(
    t,
    { model: 'dim-web-search', input_tokens: 1000, output_tokens: 100, web_search_requests: 2 },
    '0.0235',
    {
      input: '0.0025',
      output: '0.001',
      web_search: '0.02',
    },
  );
});

test('Gemini 2.5 Pro above 200k input tokens: the whole request at the long-context rates', async (t) => {
  const call = { provider: 'gemini', model: 'gemini-2.5-pro' };
  await price(d.db, {
    ...call,
    prices: { input_usd_per_mtok: '1.25', cached_input_usd_per_mtok: '0.125', output_usd_per_mtok: '10' },
  });
  const tier = await price(d.db, {
    ...call,
    min_input_tokens: 200_001,
    prices: { input_usd_per_mtok: '2.50', cached_input_usd_per_mtok: '0.25', output_usd_per_mtok: '15' },
  });
  // 200000 is the base tier: 200000 x 1.25 = 0.25; 1000 x 10 = 0.01. Total 0.26.
  await expectCost(t, { ...call, input_tokens: 200_000, output_tokens: 1000 }, '0.26');
  // 200001: every token at the long-context rates: 200001 x 2.50 = 0.5000025; 1000 x 15 = 0.015. Total 0.5150025.
  const long = await expectCost(t, { ...call, input_tokens: 200_001, output_tokens: 1000 }, '0.5150025');
  t.is(long.price?.pricing_id, tier);
  // 250000 with 50000 cached: 200000 x 2.50 = 0.5; 50000 x 0.25 = 0.0125; 2000 x 15 = 0.03. Total 0.5425.
  await expectCost(
    t,
    { ...call, input_tokens: 250_000, cached_input_tokens: 50_000, output_tokens: 2000 },
    '0.5425',
    { input: '0.5', cache_read: '0.0125', output: '0.03' },
  );
});
