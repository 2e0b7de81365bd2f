// Which requests are model calls: provider from the host (or a configured base URL), API from the path.
import test from 'ava';
import { requestModel } from '../../src/instrument/request-info.ts';
import { routeOf } from '../../src/instrument/routes.ts';

const route = (url: string, method = 'POST', baseUrls = {}) => routeOf(new URL(url), method, baseUrls);

test('OpenAI and Groq endpoints map to their API flavour and default operation', (t) => {
  const cases: Array<[string, string, string, string]> = [
    ['https://api.openai.com/v1/chat/completions', 'openai', 'chat', 'chat'],
    ['https://api.openai.com/v1/responses', 'openai', 'responses', 'chat'],
    ['https://api.openai.com/v1/audio/transcriptions', 'openai', 'transcription', 'transcription'],
    ['https://api.openai.com/v1/audio/translations', 'openai', 'transcription', 'translation'],
    ['https://api.openai.com/v1/embeddings', 'openai', 'embeddings', 'embedding'],
    ['https://api.openai.com/v1/images/generations', 'openai', 'images', 'image_generation'],
    ['https://api.openai.com/v1/images/edits', 'openai', 'images', 'image_generation'],
    ['https://api.groq.com/openai/v1/chat/completions', 'groq', 'chat', 'chat'],
    ['https://api.groq.com/openai/v1/audio/transcriptions', 'groq', 'transcription', 'transcription'],
    ['https://api.anthropic.com/v1/messages', 'anthropic', 'messages', 'chat'],
  ];
  for (const [url, provider, api, operation] of cases) {
    t.deepEqual(route(url), { provider, api, operation, model: null }, url);
  }
});

test('Gemini and Vertex take the model from the path', (t) => {
  t.like(route('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent'), {
    provider: 'gemini',
    api: 'generate_content',
    model: 'gemini-2.0-flash',
  });
  t.like(
    route(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    ),
    {
      model: 'gemini-2.5-pro',
    },
  );
  const vertex =
    'https://us-central1-aiplatform.googleapis.com/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent';
  t.like(route(vertex), { provider: 'vertex', api: 'generate_content', model: 'gemini-2.0-flash' });
  t.like(
    route('https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent'),
    {
      provider: 'vertex',
    },
  );
  t.like(
    route(
      'https://aiplatform.eu.rep.googleapis.com/v1/projects/p/locations/eu/publishers/google/models/g:generateContent',
    ),
    {
      provider: 'vertex',
    },
  );
});

test('other requests are not model calls', (t) => {
  t.is(route('https://api.openai.com/v1/models', 'GET'), null);
  t.is(route('https://api.openai.com/v1/responses/resp_123', 'GET'), null);
  t.is(route('https://api.openai.com/v1/chat/completions', 'GET'), null);
  t.is(route('https://api.openai.com/v1/files'), null);
  t.is(route('https://api.groq.com/openai/v1/embeddings'), null, 'Groq has no embeddings');
  t.is(route('https://api.anthropic.com/v1/messages/count_tokens'), null);
  t.is(route('https://api.anthropic.com/v1/messages/batches'), null);
  t.is(route('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:countTokens'), null);
  t.is(route('https://example.com/v1/chat/completions'), null);
});

test('a base URL map routes proxies and gateways', (t) => {
  const baseUrls = { 'http://127.0.0.1:8080/groq/': 'groq', 'https://gw.internal/vertex/': 'google-vertex' };
  t.like(route('http://127.0.0.1:8080/groq/openai/v1/chat/completions', 'POST', baseUrls), {
    provider: 'groq',
    api: 'chat',
  });
  t.like(
    route(
      'https://gw.internal/vertex/v1/publishers/google/models/gemini-2.0-flash:generateContent',
      'POST',
      baseUrls,
    ),
    {
      provider: 'vertex',
      model: 'gemini-2.0-flash',
    },
  );
});

test('requestModel reads the model from JSON, form data, bytes and Request objects without consuming them', async (t) => {
  const json = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
  t.is(await requestModel('https://x', { body: json }), 'gpt-4o-mini');

  const form = new FormData();
  form.set('model', 'whisper-large-v3');
  form.set('file', new Blob([new Uint8Array(8)]), 'a.mp3');
  t.is(await requestModel('https://x', { body: form }), 'whisper-large-v3');

  const encoded = new Request('https://x', { method: 'POST', body: form });
  const type = encoded.headers.get('content-type') as string;
  const bytes = new Uint8Array(await encoded.arrayBuffer());
  t.is(
    await requestModel('https://x', { body: bytes, headers: { 'content-type': type } }),
    'whisper-large-v3',
  );

  const request = new Request('https://x', {
    method: 'POST',
    body: json,
    headers: { 'content-type': 'application/json' },
  });
  t.is(await requestModel(request), 'gpt-4o-mini');
  t.false(request.bodyUsed, 'the request can still be sent');
  t.is(((await request.json()) as { model: string }).model, 'gpt-4o-mini');

  t.is(await requestModel('https://x', { body: 'not json' }), null);
  t.is(await requestModel('https://x', { body: new ReadableStream() }), null);
});
