// Through the wrapper into the database: a Groq Whisper transcription and a Gemini image description
// come back to the caller unchanged and end up as priced rows.
import test from 'ava';
import { sql } from 'slonik';
import { createCostFetch, recorderFor, withCostContext } from '../../src/instrument/index.ts';
import { fixtureResponse } from '../capture/fixtures.ts';
import { freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { addPrice, instance } from '../helpers/fixtures.ts';
import { startUpstream } from './upstream.ts';

let d: TestDatabase;
test.before(async () => {
  d = await freshDatabase('instrument_priced');
  await addPrice(d.db, {
    provider: 'groq',
    model: 'whisper-large-v3',
    from: '2024-01-01T00:00:00Z',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  });
  await addPrice(d.db, {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    from: '2024-01-01T00:00:00Z',
    prices: { input_usd_per_mtok: '0.10', output_usd_per_mtok: '0.40' },
  });
});
test.after.always(async () => {
  await d?.drop();
});

const usageOf = (key: string) =>
  d.db.one(sql.unsafe`
    SELECT provider, model, operation, message_id, audio_seconds, audio_seconds_source, input_tokens, output_tokens,
           input_image_tokens, requests, processing_cost_usd, cost_status
      FROM omni_costs.model_usage WHERE idempotency_key = ${key}`);

test('a Groq whisper verbose_json transcription is recorded with its reported duration and priced', async (t) => {
  const body = fixtureResponse('groq/transcription_whisper_large_v3_verbose_json.json');
  const upstream = await startUpstream({ json: body });
  t.teardown(() => upstream.close());
  const inst = instance();
  const costFetch = createCostFetch({
    record: recorderFor(d.db),
    context: { instance_id: inst, operation: 'transcription' },
    fetch: upstream.fetch,
    onError: (error) => t.fail(error.message),
  });

  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(64)], { type: 'audio/mpeg' }), 'clip.mp3');
  form.set('model', 'whisper-large-v3');
  form.set('response_format', 'verbose_json');
  const res = await withCostContext({ message_id: 'msg-1', idempotencyKey: () => 'msg-1:transcribe' }, () =>
    costFetch('https://api.groq.com/openai/v1/audio/transcriptions', { method: 'POST', body: form }),
  );
  t.deepEqual(await res.json(), body, 'the caller gets the body as sent');
  await costFetch.drain();

  t.is(upstream.requests[0].path, '/openai/v1/audio/transcriptions');
  t.regex(upstream.requests[0].contentType, /^multipart\/form-data; boundary=/);
  t.like(await usageOf('msg-1:transcribe'), {
    provider: 'groq',
    model: 'whisper-large-v3',
    operation: 'transcription',
    message_id: 'msg-1',
    audio_seconds: '21.690',
    audio_seconds_source: 'reported',
    requests: 1,
    processing_cost_usd: '0.000668775',
    cost_status: 'priced',
  });
});

test('a Gemini image description is recorded with its image tokens and priced', async (t) => {
  const body = fixtureResponse('gemini/generate_content_2_0_flash_image_input.json');
  const upstream = await startUpstream({ json: body });
  t.teardown(() => upstream.close());
  const costFetch = createCostFetch({
    record: recorderFor(d.db),
    context: { instance_id: instance(), operation: 'image_description', idempotencyKey: () => 'img-1' },
    fetch: upstream.fetch,
    onError: (error) => t.fail(error.message),
  });

  const request = {
    contents: [
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { text: 'What fruit is this?' },
        ],
      },
    ],
  };
  const res = await costFetch(
    'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    },
  );
  t.deepEqual(await res.json(), body);
  await costFetch.drain();

  t.like(await usageOf('img-1'), {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    operation: 'image_description',
    input_tokens: 3367,
    output_tokens: 9,
    input_image_tokens: 3354,
    requests: 1,
    processing_cost_usd: '0.0003403',
    cost_status: 'priced',
  });
});
