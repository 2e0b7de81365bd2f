import test from 'ava';
import { canonicalApi, detectShape, extractUsage } from '../../src/capture/extract.ts';
import { anthropicMessage, chatBody, chatStream, geminiBody, responsesBody } from './bodies.ts';

test('api hints are accepted in SDK and REST spellings, with trailing notes ignored', (t) => {
  t.is(canonicalApi('chat.completions (stream, stream_options.include_usage=true)'), 'chat');
  t.is(canonicalApi('audio.transcriptions'), 'transcription');
  t.is(canonicalApi('audio.translations'), 'transcription');
  t.is(canonicalApi('images.generate'), 'images');
  t.is(canonicalApi('generateContent (Vertex AI REST)'), 'generate_content');
  t.is(canonicalApi('@google/genai SDK GenerateContentResponse'), 'generate_content');
  t.is(canonicalApi('messages (via AWS Bedrock InvokeModel)'), 'messages');
  t.is(canonicalApi('completions'), undefined);
});

test('the form of the input is told apart: body, stream of events, or plain text', (t) => {
  t.is(detectShape(chatBody({ prompt_tokens: 1, completion_tokens: 1 })).form, 'body');
  t.is(detectShape(chatStream(1, null)).form, 'stream');
  t.is(detectShape('transcript').form, 'text');
});

test('each provider and api is detected from the body shape alone', (t) => {
  const cases: [unknown, string, string][] = [
    [chatBody({ prompt_tokens: 1, completion_tokens: 1 }), 'openai', 'chat'],
    [responsesBody({ input_tokens: 1, output_tokens: 1 }), 'openai', 'responses'],
    [
      {
        object: 'list',
        data: [{ object: 'embedding', embedding: [0.1] }],
        usage: { prompt_tokens: 3, total_tokens: 3 },
      },
      'openai',
      'embeddings',
    ],
    [
      { created: 1, data: [{ b64_json: 'x' }], usage: { input_tokens: 1, output_tokens: 2 } },
      'openai',
      'images',
    ],
    [{ text: 'hi', x_groq: { id: 'req_1' } }, 'groq', 'transcription'],
    [geminiBody({ promptTokenCount: 1 }), 'gemini', 'generate_content'],
    [anthropicMessage({ input_tokens: 1, output_tokens: 1 }), 'anthropic', 'messages'],
    [
      [{ type: 'message_start', message: anthropicMessage({ input_tokens: 1, output_tokens: 1 }) }],
      'anthropic',
      'messages',
    ],
  ];
  for (const [input, provider, api] of cases) {
    const shape = detectShape(input);
    t.deepEqual([shape.provider, shape.api], [provider, api]);
  }
});

test('an OpenAI-compatible body is attributed to Groq when the caller says so', (t) => {
  const c = extractUsage(chatBody({ prompt_tokens: 5, completion_tokens: 1 }), { provider: 'groq' });
  t.is(c.provider, 'groq');
});

test('a provider with a single api needs no shape evidence for it', (t) => {
  const c = extractUsage({ usage: { input_tokens: 5, output_tokens: 1 } }, { provider: 'anthropic' });
  t.is(c.api, 'messages');
  t.is(c.usage.input_tokens, 5);
});

test('images without usage (dall-e) count the images and bill no tokens', (t) => {
  const c = extractUsage(
    { created: 1, data: [{ url: 'https://x/1.png' }, { url: 'https://x/2.png' }] },
    { model: 'dall-e-3' },
  );
  t.is(c.usage.image_count, 2);
  t.is(c.usage.input_tokens, 0);
  t.is(c.model, 'dall-e-3');
});

test('embeddings streams are refused because the API never streams', (t) => {
  t.throws(() => extractUsage([{ object: 'list', data: [] }], { provider: 'openai', api: 'embeddings' }), {
    message: /embeddings streams are not supported/,
  });
});
