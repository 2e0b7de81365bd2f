// SSE streams through the wrapper: the caller reads the same bytes; usage is recorded when the stream ends,
// from the final chunk when there is one, and as unknown (never zero) when the stream stops short.
import test from 'ava';
import type { UsageRowInput } from '../../src/ingest/usage-row.ts';
import { createCostFetch } from '../../src/instrument/index.ts';
import { fixtureResponse } from '../capture/fixtures.ts';
import { instance } from '../helpers/fixtures.ts';
import { startUpstream } from './upstream.ts';

const GROQ_CHAT = 'https://api.groq.com/openai/v1/chat/completions';

function collector() {
  const rows: UsageRowInput[] = [];
  return { rows, record: async (r: UsageRowInput[]) => void rows.push(...r) };
}

const chatRequest = (model: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model, stream: true, stream_options: { include_usage: true }, messages: [] }),
});

test('a stream with include_usage records the usage of its final chunk', async (t) => {
  const events = fixtureResponse('groq/chat_stream_include_usage_gpt_oss_120b.json') as unknown[];
  const upstream = await startUpstream({ sse: events, done: true });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });

  const res = await costFetch(GROQ_CHAT, chatRequest('openai/gpt-oss-120b'));
  t.is(res.headers.get('content-type'), 'text/event-stream');
  const text = await res.text();
  const expected = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
  t.is(text, expected, 'the caller reads the stream byte for byte');
  await costFetch.drain();

  t.is(sink.rows.length, 1);
  t.like(sink.rows[0], {
    provider: 'groq',
    model: 'openai/gpt-oss-120b',
    operation: 'chat',
    input_tokens: 90,
    output_tokens: 38,
    reasoning_tokens: 7,
    requests: 1,
  });
});

test('a stream aborted midway is recorded as a call of unknown usage', async (t) => {
  const events = fixtureResponse('groq/chat_stream_include_usage_gpt_oss_120b.json') as unknown[];
  const upstream = await startUpstream({ sse: events, hangAfter: 2 });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance(), message_id: 'm-abort' },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });

  const abort = new AbortController();
  const res = await costFetch(GROQ_CHAT, { ...chatRequest('openai/gpt-oss-120b'), signal: abort.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while ((seen.match(/\n\n/g) ?? []).length < 2) seen += decoder.decode((await reader.read()).value);
  abort.abort();
  await t.throwsAsync(reader.read());
  await costFetch.drain();

  t.is(sink.rows.length, 1, 'the call is still recorded');
  t.like(sink.rows[0], {
    provider: 'groq',
    model: 'openai/gpt-oss-120b',
    message_id: 'm-abort',
    input_tokens: null,
    output_tokens: null,
    reasoning_tokens: null,
    audio_seconds: 0,
    requests: 1,
  });
  t.like(sink.rows[0].raw_usage as object, { stream_ended: 'aborted' });
});

test('a stream the caller cancels is recorded when it is cancelled', async (t) => {
  const events = fixtureResponse('groq/chat_stream_include_usage_gpt_oss_120b.json') as unknown[];
  const upstream = await startUpstream({ sse: events, hangAfter: 1 });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    fetch: upstream.fetch,
  });

  const res = await costFetch(GROQ_CHAT, chatRequest('openai/gpt-oss-120b'));
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  await reader.cancel('user stopped');
  await costFetch.drain();

  t.is(sink.rows.length, 1);
  t.like(sink.rows[0], { input_tokens: null, output_tokens: null, requests: 1 });
  t.like(sink.rows[0].raw_usage as object, { stream_ended: 'cancelled' });
});

test('a stream that ends without usage (Groq stopped it early) is recorded with unknown usage', async (t) => {
  const events = fixtureResponse('groq/chat_stream_aborted_usage_missing.json') as unknown[];
  const upstream = await startUpstream({ sse: events, done: true });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });

  await (await costFetch(GROQ_CHAT, chatRequest('llama-3.3-70b-versatile'))).text();
  await costFetch.drain();
  t.like(sink.rows[0], {
    model: 'llama-3.3-70b-versatile',
    input_tokens: null,
    output_tokens: null,
    requests: 1,
  });
});

test('an Anthropic message stream records the usage of its message_start and message_delta events', async (t) => {
  const events = [
    {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-haiku-4-5-20251001',
        content: [],
        usage: {
          input_tokens: 25,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 0,
          output_tokens: 1,
        },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 12 } },
    { type: 'message_stop' },
  ];
  const upstream = await startUpstream({ sse: events });
  t.teardown(() => upstream.close());
  const sink = collector();
  const costFetch = createCostFetch({
    record: sink.record,
    context: { instance_id: instance() },
    fetch: upstream.fetch,
    onError: (e) => t.fail(e.message),
  });
  const res = await costFetch('https://api.anthropic.com/v1/messages', {
    method: 'POST',
    body: JSON.stringify({ model: 'claude-haiku-4-5', stream: true, max_tokens: 64, messages: [] }),
  });
  await res.text();
  await costFetch.drain();
  t.like(sink.rows[0], {
    provider: 'anthropic',
    model: 'claude-haiku-4-5-20251001',
    input_tokens: 125,
    cached_input_tokens: 100,
    output_tokens: 12,
  });
});
