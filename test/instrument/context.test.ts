// The call's context: per client, per call (withCostContext), an audio file to measure, base URLs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { UsageRowInput } from '../../src/ingest/usage-row.ts';
import { createCostFetch, currentCostContext, withCostContext } from '../../src/instrument/index.ts';
import { fixtureResponse } from '../capture/fixtures.ts';
import { instance } from '../helpers/fixtures.ts';
import { startUpstream } from './upstream.ts';

function collector() {
  const rows: UsageRowInput[] = [];
  return { rows, record: async (r: UsageRowInput[]) => void rows.push(...r) };
}

/** A PCM WAV file of silence. */
function silentWav(seconds: number, rate = 8000): Buffer {
  const size = Math.round(seconds * rate) * 2;
  const b = Buffer.alloc(44 + size);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + size, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(size, 40);
  return b;
}

test('per-call context overrides the client context, and nested contexts merge', async (t) => {
  const upstream = await startUpstream({
    json: fixtureResponse('openai/chat_completions_gpt4o_cached_prompt.json'),
  });
  t.teardown(() => upstream.close());
  const sink = collector();
  const inst = instance();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: inst, operation: 'chat', message_id: 'client-default' },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });
  const call = () =>
    costFetch('https://api.openai.com/v1/chat/completions', { method: 'POST', body: '{"model":"gpt-4o"}' });

  await (await call()).json();
  await withCostContext({ message_id: 'outer', operation: 'image_description' }, async () => {
    await withCostContext({ idempotencyKey: () => 'inner-key', message_id: undefined }, async () => {
      t.like(currentCostContext(), { message_id: 'outer', operation: 'image_description' });
      await (await call()).json();
    });
  });
  await costFetch.drain();

  t.like(sink.rows[0], { instance_id: inst, message_id: 'client-default', operation: 'chat' });
  t.like(sink.rows[1], {
    instance_id: inst,
    message_id: 'outer',
    operation: 'image_description',
    idempotency_key: 'inner-key',
  });
});

test('a duration-billed transcription in text format is measured from the audio file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'omni-instrument-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const audioFile = join(dir, 'clip.wav');
  await writeFile(audioFile, silentWav(3.5));
  const transcript = fixtureResponse('openai/transcription_whisper1_text_format.json') as string;
  const upstream = await startUpstream({ text: transcript });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });

  const form = new FormData();
  form.set('model', 'whisper-1');
  form.set('response_format', 'text');
  form.set('file', new Blob([await readFile(audioFile)]), 'clip.wav');
  const res = await withCostContext({ audioFile }, () =>
    costFetch('https://api.openai.com/v1/audio/transcriptions', { method: 'POST', body: form }),
  );
  t.is(await res.text(), transcript);
  await costFetch.drain();

  t.like(sink.rows[0], {
    provider: 'openai',
    model: 'whisper-1',
    operation: 'transcription',
    audio_seconds_source: 'measured',
  });
  t.true(Math.abs((sink.rows[0].audio_seconds ?? 0) - 3.5) < 0.01);
});

test('without an audio file the duration stays unknown, and a bad file is reported', async (t) => {
  const upstream = await startUpstream({
    json: fixtureResponse('groq/transcription_whisper_large_v3_turbo_json_no_usage.json'),
  });
  t.teardown(() => upstream.close());
  const sink = collector();
  const errors: string[] = [];
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (e) => errors.push(`${e.stage}: ${e.message}`),
  });
  const form = () => {
    const f = new FormData();
    f.set('model', 'whisper-large-v3-turbo');
    return f;
  };
  const url = 'https://api.groq.com/openai/v1/audio/transcriptions';
  await (await costFetch(url, { method: 'POST', body: form() })).json();
  await withCostContext({ audioFile: '/nonexistent/clip.mp3' }, async () => {
    await (await costFetch(url, { method: 'POST', body: form() })).json();
  });
  await costFetch.drain();

  t.is(sink.rows.length, 2);
  t.like(sink.rows[0], { model: 'whisper-large-v3-turbo', audio_seconds: null, requests: 1 });
  t.like(sink.rows[1], { audio_seconds: null, requests: 1 });
  t.is(errors.length, 1);
  t.regex(errors[0], /^measure: could not measure \/nonexistent\/clip\.mp3/);
});

test('Request objects and base URLs work; calls that are not model calls pass through unrecorded', async (t) => {
  const upstream = await startUpstream({
    json: fixtureResponse('anthropic/messages_haiku_4_5_cache_write_and_read.json'),
  });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    baseUrls: { [`${upstream.url}/anthropic/`]: 'anthropic' },
    onError: (e) => t.fail(e.message),
  });

  const request = new Request(`${upstream.url}/anthropic/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [] }),
  });
  await (await costFetch(request)).json();
  await (await costFetch(`${upstream.url}/anthropic/v1/models`)).json();
  await costFetch.drain();

  t.is(upstream.requests.length, 2);
  t.is(
    JSON.parse(upstream.requests[0].body.toString()).model,
    'claude-haiku-4-5',
    'the request body went out intact',
  );
  t.is(sink.rows.length, 1);
  t.like(sink.rows[0], {
    provider: 'anthropic',
    model: 'claude-haiku-4-5-20251001',
    input_tokens: 11470,
    cache_write_tokens: 1956,
  });
});

test('an unknown provider in baseUrls is refused when the fetch is created', (t) => {
  t.throws(() => createCostFetch({ record: async () => undefined, baseUrls: { 'http://x/': 'mistral' } }), {
    message: /unknown provider 'mistral'/,
  });
});
