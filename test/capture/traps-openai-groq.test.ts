// One test per OpenAI / Groq trap listed in the provider conventions.
import test from 'ava';
import { extractUsage } from '../../src/capture/extract.ts';
import { chatBody, chatStream, responsesBody } from './bodies.ts';
import { fixtureResponse } from './fixtures.ts';

const usage = (prompt: number, completion: number, pd = {}, cd = {}) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: pd,
  completion_tokens_details: cd,
});

test('OpenAI cached tokens are a subset of prompt_tokens and are not double counted', (t) => {
  const c = extractUsage(chatBody(usage(2006, 300, { cached_tokens: 1920 })));
  t.is(c.usage.input_tokens, 2006);
  t.is(c.usage.cached_input_tokens, 1920);
});

test('OpenAI reasoning tokens are already inside completion_tokens', (t) => {
  const c = extractUsage(chatBody(usage(100, 500, {}, { reasoning_tokens: 448 })));
  t.is(c.usage.output_tokens, 500);
  t.is(c.usage.reasoning_tokens, 448);
});

test('OpenAI rejected prediction tokens stay inside completion_tokens and are billed as output', (t) => {
  const body = chatBody(
    usage(1183, 514, {}, { accepted_prediction_tokens: 372, rejected_prediction_tokens: 98 }),
  );
  t.is(extractUsage(body).usage.output_tokens, 514);
});

test('OpenAI cache_write_tokens on newer models is recorded as a subset of input', (t) => {
  const c = extractUsage(chatBody(usage(5000, 10, { cached_tokens: 0, cache_write_tokens: 4096 })));
  t.is(c.usage.input_tokens, 5000);
  t.is(c.usage.cache_write_tokens, 4096);
});

test('OpenAI service_tier default and auto are recorded as standard; other tiers as reported', (t) => {
  t.is(extractUsage(chatBody(usage(1, 1), { service_tier: 'default' })).service_tier, 'standard');
  t.is(extractUsage(chatBody(usage(1, 1), { service_tier: 'auto' })).service_tier, 'standard');
  t.is(extractUsage(chatBody(usage(1, 1), { service_tier: 'flex' })).service_tier, 'flex');
  t.is(extractUsage(chatBody(usage(1, 1), { service_tier: undefined })).service_tier, null);
});

test('an OpenAI stream without include_usage has unknown (null) tokens but still counts one request', (t) => {
  const c = extractUsage(chatStream(3, null));
  t.is(c.usage.input_tokens, null);
  t.is(c.usage.output_tokens, null);
  t.is(c.usage.requests, 1);
  t.is(c.usage.audio_seconds, 0);
});

test('an OpenAI stream takes usage from the final include_usage chunk and never sums chunks', (t) => {
  const c = extractUsage(chatStream(5, usage(1245, 187, { cached_tokens: 1024 })));
  t.is(c.usage.input_tokens, 1245);
  t.is(c.usage.output_tokens, 187);
  t.is(c.usage.cached_input_tokens, 1024);
});

test('a stream array keeping the [DONE] sentinel is read like one without it', (t) => {
  const c = extractUsage([...chatStream(2, usage(10, 5)), '[DONE]']);
  t.is(c.usage.input_tokens, 10);
});

test('a Responses body with "error": null is a success, not an error', (t) => {
  const c = extractUsage(responsesBody({ input_tokens: 3120, output_tokens: 210 }));
  t.is(c.api, 'responses');
  t.is(c.usage.requests, 1);
  t.is(c.usage.input_tokens, 3120);
});

test('Responses web_search_call output items are counted into web_search_requests', (t) => {
  const output = [
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
    { type: 'web_search_call', id: 'ws_2', status: 'completed' },
    { type: 'message', id: 'msg_1', content: [] },
  ];
  const c = extractUsage(responsesBody({ input_tokens: 900, output_tokens: 50 }, output));
  t.is(c.usage.web_search_requests, 2);
});

test('a Responses stream reads usage from the terminal response.incomplete event', (t) => {
  const events = [
    { type: 'response.created', response: { object: 'response', model: 'gpt-4o-mini', usage: null } },
    { type: 'response.output_text.delta', delta: 'x' },
    {
      type: 'response.incomplete',
      response: { object: 'response', model: 'gpt-4o-mini', usage: { input_tokens: 40, output_tokens: 16 } },
    },
  ];
  const c = extractUsage(events);
  t.is(c.usage.input_tokens, 40);
  t.is(c.usage.output_tokens, 16);
});

test('token-billed transcription reads audio tokens from input_token_details (singular)', (t) => {
  const body = {
    text: 'hi',
    usage: {
      type: 'tokens',
      input_tokens: 1312,
      input_token_details: { text_tokens: 62, audio_tokens: 1250 },
      output_tokens: 287,
    },
  };
  const c = extractUsage(body, { model: 'gpt-4o-mini-transcribe' });
  t.is(c.usage.input_audio_tokens, 1250);
  t.is(c.usage.audio_seconds, 0);
});

test('whisper-1 duration usage is recorded as reported audio seconds with zero tokens', (t) => {
  const c = extractUsage({ text: 'hi', usage: { type: 'duration', seconds: 9 } });
  t.is(c.usage.audio_seconds, 9);
  t.is(c.usage.audio_seconds_source, 'reported');
  t.is(c.usage.input_tokens, 0);
});

test('verbose_json bills usage.seconds and uses duration only as a fallback', (t) => {
  const c = extractUsage({
    task: 'transcribe',
    duration: 8.47,
    text: 'hi',
    usage: { type: 'duration', seconds: 9 },
  });
  t.is(c.usage.audio_seconds, 9);
});

test('a plain-text transcription body leaves a duration-billed call to be measured (null seconds)', (t) => {
  const c = extractUsage('hello world\n', { model: 'whisper-1' });
  t.is(c.api, 'transcription');
  t.is(c.usage.audio_seconds, null);
  t.is(c.usage.input_tokens, 0);
});

test('a plain-text body from a token-billed transcription model has unknown tokens, not unknown seconds', (t) => {
  const c = extractUsage('hello world\n', { model: 'gpt-4o-transcribe' });
  t.is(c.usage.input_tokens, null);
  t.is(c.usage.audio_seconds, 0);
});

test('a streamed transcription reads usage from transcript.text.done even without a type key', (t) => {
  const events = [
    { type: 'transcript.text.delta', delta: 'hi' },
    {
      type: 'transcript.text.done',
      text: 'hi',
      usage: { input_tokens: 14, output_tokens: 45, total_tokens: 59 },
    },
  ];
  const c = extractUsage(events, { model: 'gpt-4o-transcribe' });
  t.is(c.usage.input_tokens, 14);
  t.is(c.usage.output_tokens, 45);
});

test('Groq timing fields (queue_time, prompt_time, ...) are latency and never become tokens', (t) => {
  const body = chatBody(
    { queue_time: 0.5, prompt_tokens: 10, prompt_time: 0.2, completion_tokens: 3, total_time: 0.9 },
    {
      x_groq: { id: 'req_1' },
    },
  );
  const c = extractUsage(body);
  t.is(c.provider, 'groq');
  t.deepEqual([c.usage.input_tokens, c.usage.output_tokens], [10, 3]);
});

test('Groq x_groq dram/sram hardware cache stats are ignored for billing', (t) => {
  const body = chatBody(
    { prompt_tokens: 300, completion_tokens: 20 },
    { x_groq: { id: 'req_1', usage: { dram_cached_tokens: 250, sram_cached_tokens: 40 } } },
  );
  const c = extractUsage(body, { provider: 'groq' });
  t.is(c.usage.input_tokens, 300);
  t.is(c.usage.cached_input_tokens, 0);
});

test('a Groq stream uses x_groq.usage only when it has prompt_tokens', (t) => {
  const withBilling = chatStream(2, null, { x_groq: { id: 'req_1' } });
  withBilling[withBilling.length - 1].x_groq = {
    id: 'req_1',
    usage: { prompt_tokens: 90, completion_tokens: 38 },
  };
  t.is(extractUsage(withBilling).usage.input_tokens, 90);

  const hardwareOnly = chatStream(2, null, { x_groq: { id: 'req_1' } });
  hardwareOnly[hardwareOnly.length - 1].x_groq = { id: 'req_1', usage: { dram_cached_tokens: 5 } };
  t.is(extractUsage(hardwareOnly).usage.input_tokens, null);
});

test('a Groq stream prefers top-level usage over x_groq.usage', (t) => {
  const events = chatStream(1, { prompt_tokens: 90, completion_tokens: 38 }, { x_groq: { id: 'req_1' } });
  events[1].x_groq = { id: 'req_1', usage: { prompt_tokens: 1, completion_tokens: 1 } };
  t.is(extractUsage(events).usage.input_tokens, 90);
});

test('a Groq json transcription has no duration, so audio_seconds is null (to be measured)', (t) => {
  const c = extractUsage(fixtureResponse('groq/transcription_whisper_large_v3_turbo_json_no_usage.json'));
  t.is(c.provider, 'groq');
  t.is(c.usage.audio_seconds, null);
});

test('OpenAI, Groq, Gemini and Anthropic error envelopes bill nothing (requests 0, all counts 0)', (t) => {
  const bodies = [
    { error: { message: 'x', type: 'tokens', code: 'rate_limit_exceeded' } },
    { error: { code: 429, message: 'x', status: 'RESOURCE_EXHAUSTED' } },
    { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
  ];
  for (const b of bodies) {
    const c = extractUsage(b);
    t.is(c.usage.requests, 0);
    t.is(c.usage.input_tokens, 0);
    t.is(c.usage.audio_seconds, 0);
  }
  t.is(extractUsage(bodies[0], { provider: 'groq' }).provider, 'groq');
});

test('a stream made only of error envelopes bills nothing', (t) => {
  const c = extractUsage([{ error: { code: 503, message: 'x', status: 'UNAVAILABLE' } }]);
  t.is(c.provider, 'gemini');
  t.is(c.usage.requests, 0);
});
