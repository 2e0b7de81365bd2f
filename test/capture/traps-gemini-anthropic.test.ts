// One test per Gemini / Vertex / Anthropic trap listed in the provider conventions.
import test from 'ava';
import { extractUsage } from '../../src/capture/extract.ts';
import { anthropicMessage, geminiBody } from './bodies.ts';
import { fixtureResponse } from './fixtures.ts';

test('Gemini thoughts are added to candidates for the output total and reported as reasoning', (t) => {
  const c = extractUsage(
    geminiBody({ promptTokenCount: 1106, candidatesTokenCount: 778, thoughtsTokenCount: 1089 }),
  );
  t.is(c.usage.output_tokens, 1867);
  t.is(c.usage.reasoning_tokens, 1089);
});

test('Gemini tool-use prompt tokens are added to the input total', (t) => {
  const c = extractUsage(
    geminiBody({ promptTokenCount: 400, toolUsePromptTokenCount: 250, candidatesTokenCount: 30 }),
  );
  t.is(c.usage.input_tokens, 650);
  t.is(c.usage.tool_use_prompt_tokens, 250);
});

test('Gemini promptTokenCount is authoritative when the modality details do not sum to it (residual kept)', (t) => {
  const c = extractUsage(fixtureResponse('gemini/generate_content_details_do_not_sum_gemini_3_flash.json'));
  t.is(c.usage.input_tokens, 417);
  t.is(c.usage.output_tokens, 71);
});

test('a missing Gemini candidatesTokenCount counts as 0 output, not unknown', (t) => {
  const c = extractUsage(geminiBody({ promptTokenCount: 15, thoughtsTokenCount: 2 }));
  t.is(c.usage.output_tokens, 2);
});

test('Gemini input audio includes cached audio, which is also reported on its own', (t) => {
  const c = extractUsage(fixtureResponse('gemini/generate_content_2_5_flash_implicit_cache_video.json'));
  t.is(c.usage.input_audio_tokens, 321);
  t.is(c.usage.cached_input_audio_tokens, 284);
  t.is(c.usage.input_video_tokens, 2893);
  t.is(c.usage.cached_input_tokens, 2918);
});

test('Gemini IMAGE and DOCUMENT modalities map to input_image_tokens and input_document_tokens', (t) => {
  const details = [
    { modality: 'TEXT', tokenCount: 20 },
    { modality: 'IMAGE', tokenCount: 258 },
    { modality: 'DOCUMENT', tokenCount: 1548 },
  ];
  const c = extractUsage(
    geminiBody({ promptTokenCount: 1826, candidatesTokenCount: 10, promptTokensDetails: details }),
  );
  t.is(c.usage.input_image_tokens, 258);
  t.is(c.usage.input_document_tokens, 1548);
});

test('Gemini AUDIO output details become output_audio_tokens', (t) => {
  const um = {
    promptTokenCount: 5,
    candidatesTokenCount: 400,
    candidatesTokensDetails: [{ modality: 'AUDIO', tokenCount: 400 }],
  };
  t.is(extractUsage(geminiBody(um)).usage.output_audio_tokens, 400);
});

test('a Gemini stream takes the last running totals and never sums the chunks', (t) => {
  const chunks = [10, 20, 31].map((n) =>
    geminiBody({ promptTokenCount: 50, candidatesTokenCount: n, totalTokenCount: 50 + n }),
  );
  const c = extractUsage(chunks);
  t.is(c.usage.input_tokens, 50);
  t.is(c.usage.output_tokens, 31);
});

test('a Vertex body is detected from trafficType/createTime and PROVISIONED_THROUGHPUT maps to provisioned', (t) => {
  const body = geminiBody(
    { promptTokenCount: 9, candidatesTokenCount: 3, trafficType: 'PROVISIONED_THROUGHPUT' },
    { createTime: '2025-06-24T11:02:11Z' },
  );
  const c = extractUsage(body);
  t.is(c.provider, 'vertex');
  t.is(c.service_tier, 'provisioned');
  t.is(c.usage.input_tokens, 9);
});

test('provider aliases google-gemini and google-vertex are accepted and canonicalised', (t) => {
  const body = geminiBody({ promptTokenCount: 9, candidatesTokenCount: 3 });
  t.is(extractUsage(body, { provider: 'google-gemini' }).provider, 'gemini');
  t.is(extractUsage(body, { provider: 'google-vertex' }).provider, 'vertex');
});

test('an @google/genai SDK object is read like the REST body and its sdkHttpResponse is ignored', (t) => {
  const c = extractUsage(fixtureResponse('gemini/sdk_genai_response_object_2_5_flash_lite_image.json'));
  t.is(c.provider, 'gemini');
  t.is(c.usage.input_image_tokens, 1032);
});

test('a snake_case Python google-genai dump is read like the camelCase body', (t) => {
  const body = {
    candidates: [],
    model_version: 'gemini-2.5-flash',
    usage_metadata: {
      prompt_token_count: 229,
      candidates_token_count: 17,
      thoughts_token_count: 5,
      prompt_tokens_details: [{ modality: 'AUDIO', token_count: 144 }],
    },
  };
  const c = extractUsage(body);
  t.is(c.model, 'gemini-2.5-flash');
  t.deepEqual([c.usage.input_tokens, c.usage.output_tokens, c.usage.input_audio_tokens], [229, 22, 144]);
});

test('Anthropic cache reads and writes are added to input_tokens for the input total', (t) => {
  const c = extractUsage(
    anthropicMessage({
      input_tokens: 3,
      cache_creation_input_tokens: 1956,
      cache_read_input_tokens: 9511,
      output_tokens: 44,
    }),
  );
  t.is(c.usage.input_tokens, 11470);
  t.is(c.usage.cached_input_tokens, 9511);
  t.is(c.usage.cache_write_tokens, 1956);
});

test('Anthropic cache writes are split by TTL into 5m and 1h', (t) => {
  const usage = {
    input_tokens: 10,
    cache_creation_input_tokens: 3000,
    cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
    output_tokens: 5,
  };
  const c = extractUsage(anthropicMessage(usage));
  t.is(c.usage.cache_write_5m_tokens, 1000);
  t.is(c.usage.cache_write_1h_tokens, 2000);
});

test('Anthropic compaction bills the sum of usage.iterations, not the top-level final iteration', (t) => {
  const usage = {
    input_tokens: 180,
    output_tokens: 8,
    iterations: [
      { type: 'compaction', input_tokens: 55196, output_tokens: 82 },
      { type: 'message', input_tokens: 180, output_tokens: 8 },
    ],
  };
  const c = extractUsage(anthropicMessage(usage));
  t.is(c.usage.input_tokens, 55376);
  t.is(c.usage.output_tokens, 90);
});

test('Anthropic thinking_tokens is a decomposition of output_tokens and is never added', (t) => {
  const c = extractUsage(
    anthropicMessage({
      input_tokens: 7744,
      output_tokens: 353,
      output_tokens_details: { thinking_tokens: 80 },
    }),
  );
  t.is(c.usage.output_tokens, 353);
  t.is(c.usage.reasoning_tokens, 80);
});

test('Anthropic server_tool_use web_search_requests is recorded', (t) => {
  const c = extractUsage(
    anthropicMessage({ input_tokens: 1, output_tokens: 1, server_tool_use: { web_search_requests: 3 } }),
  );
  t.is(c.usage.web_search_requests, 3);
});

test('an Anthropic stream merges message_start with cumulative message_delta usage (later non-null wins, never added)', (t) => {
  const events = [
    {
      type: 'message_start',
      message: {
        ...anthropicMessage({ input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 1 }),
        content: [],
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 40, input_tokens: null } },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 75 } },
    { type: 'message_stop' },
  ];
  const c = extractUsage(events);
  t.is(c.provider, 'anthropic');
  t.is(c.usage.output_tokens, 75);
  t.is(c.usage.input_tokens, 120);
  t.is(c.model, 'claude-haiku-4-5-20251001');
});

test('an Anthropic body without cache fields counts input_tokens alone', (t) => {
  const c = extractUsage(anthropicMessage({ input_tokens: 1589, output_tokens: 212 }));
  t.is(c.usage.input_tokens, 1589);
  t.is(c.usage.cache_write_tokens, 0);
});
