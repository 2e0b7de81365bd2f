// Malformed bodies, impossible numbers and unknown shapes are refused with an error naming the path.
import test from 'ava';
import { CaptureError, extractUsage } from '../../src/capture/extract.ts';
import { anthropicMessage, chatBody, chatStream, geminiBody } from './bodies.ts';

function refused(
  t: import('ava').ExecutionContext,
  fn: () => unknown,
  path: string,
  message?: string | RegExp,
) {
  const err = t.throws(fn, { instanceOf: CaptureError });
  t.is(err?.path, path);
  if (typeof message === 'string') t.is(err?.message, message);
  else if (message) t.regex(err?.message ?? '', message);
}

test('a cached_tokens count larger than prompt_tokens is refused, naming both paths', (t) => {
  const body = chatBody({
    prompt_tokens: 100,
    completion_tokens: 5,
    prompt_tokens_details: { cached_tokens: 120 },
  });
  refused(
    t,
    () => extractUsage(body),
    'usage.prompt_tokens_details.cached_tokens',
    'usage.prompt_tokens_details.cached_tokens (120) cannot exceed usage.prompt_tokens (100)',
  );
});

test('reasoning tokens larger than completion_tokens are refused', (t) => {
  const body = chatBody({
    prompt_tokens: 1,
    completion_tokens: 5,
    completion_tokens_details: { reasoning_tokens: 6 },
  });
  refused(
    t,
    () => extractUsage(body),
    'usage.completion_tokens_details.reasoning_tokens',
    /\(6\) cannot exceed usage\.completion_tokens \(5\)/,
  );
});

test('a negative count is refused with its path', (t) => {
  const body = chatBody({ prompt_tokens: 10, completion_tokens: -5 });
  refused(
    t,
    () => extractUsage(body),
    'usage.completion_tokens',
    'usage.completion_tokens cannot be negative (-5)',
  );
});

test('NaN, Infinity, fractions and numeric strings are refused as counts', (t) => {
  for (const [bad, text] of [
    [Number.NaN, 'must be a number, got NaN'],
    [Number.POSITIVE_INFINITY, 'must be finite, got Infinity'],
    [1.5, 'must be a whole number (1.5)'],
    ['100', 'must be a number, got string "100"'],
  ] as const) {
    const body = chatBody({ prompt_tokens: bad, completion_tokens: 1 });
    refused(t, () => extractUsage(body), 'usage.prompt_tokens', `usage.prompt_tokens ${text}`);
  }
});

test('a usage that is not an object is refused', (t) => {
  refused(t, () => extractUsage(chatBody(42)), 'usage', 'usage must be an object, got number 42');
});

test('a body for another API than the one given is refused with the missing field', (t) => {
  const responsesUsage = { input_tokens: 5, output_tokens: 2 };
  refused(
    t,
    () => extractUsage(chatBody(responsesUsage), { api: 'chat' }),
    'usage.prompt_tokens',
    'usage.prompt_tokens is missing',
  );
});

test('errors inside a stream name the chunk index', (t) => {
  const events = chatStream(3, { prompt_tokens: 10, completion_tokens: -1 });
  refused(t, () => extractUsage(events), '[4].usage.completion_tokens');
});

test('a Gemini cachedContentTokenCount larger than promptTokenCount is refused', (t) => {
  const body = geminiBody({ promptTokenCount: 10, cachedContentTokenCount: 11 });
  refused(
    t,
    () => extractUsage(body),
    'usageMetadata.cachedContentTokenCount',
    'usageMetadata.cachedContentTokenCount (11) cannot exceed usageMetadata.promptTokenCount (10)',
  );
});

test('a Gemini modality entry larger than promptTokenCount is refused', (t) => {
  const body = geminiBody({
    promptTokenCount: 10,
    promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 12 }],
  });
  refused(t, () => extractUsage(body), 'usageMetadata.promptTokensDetails[0].tokenCount');
});

test('an Anthropic TTL split larger than the cache writes is refused', (t) => {
  const usage = {
    input_tokens: 1,
    output_tokens: 1,
    cache_creation_input_tokens: 100,
    cache_creation: { ephemeral_5m_input_tokens: 80, ephemeral_1h_input_tokens: 40 },
  };
  refused(
    t,
    () => extractUsage(anthropicMessage(usage)),
    'usage.cache_creation',
    /\(120\) cannot exceed usage\.cache_creation_input_tokens \(100\)/,
  );
});

test('Anthropic thinking_tokens larger than output_tokens are refused', (t) => {
  const usage = { input_tokens: 1, output_tokens: 10, output_tokens_details: { thinking_tokens: 11 } };
  refused(t, () => extractUsage(anthropicMessage(usage)), 'usage.output_tokens_details.thinking_tokens');
});

test('transcription audio plus text tokens larger than input_tokens are refused', (t) => {
  const body = {
    text: 'x',
    usage: {
      type: 'tokens',
      input_tokens: 10,
      input_token_details: { audio_tokens: 8, text_tokens: 5 },
      output_tokens: 1,
    },
  };
  refused(
    t,
    () => extractUsage(body),
    'usage.input_token_details',
    /audio_tokens \+ text_tokens \(13\) cannot exceed usage\.input_tokens \(10\)/,
  );
});

test('an unknown shape is refused with the list of allowed providers and apis', (t) => {
  const err = t.throws(() => extractUsage({ foo: 1, bar: 2 }), { instanceOf: CaptureError });
  t.regex(err?.message ?? '', /keys \[foo, bar\]/);
  t.regex(err?.message ?? '', /openai \(chat, responses, transcription, embeddings, images\)/);
  t.regex(err?.message ?? '', /anthropic \(messages\)/);
  t.regex(err?.message ?? '', /vertex \(generate_content\)/);
});

test('inputs that are not a body, a stream or a text are refused', (t) => {
  t.throws(() => extractUsage(42), { instanceOf: CaptureError, message: /unrecognised response shape/ });
  t.throws(() => extractUsage(null), { instanceOf: CaptureError });
  t.throws(() => extractUsage([]), { instanceOf: CaptureError, message: /empty stream/ });
  refused(t, () => extractUsage([{ object: 'chat.completion.chunk', choices: [] }, 7]), '[1]');
});

test('an unknown provider or api hint is refused with the allowed names', (t) => {
  refused(
    t,
    () => extractUsage({}, { provider: 'azure' }),
    'opts.provider',
    /unknown provider 'azure'; allowed: .*google-vertex/,
  );
  refused(
    t,
    () => extractUsage({}, { api: 'completions.legacy' }),
    'opts.api',
    /unknown api .*allowed: chat, responses/,
  );
  refused(
    t,
    () => extractUsage({ usage: {} }, { provider: 'anthropic', api: 'embeddings' }),
    'opts.api',
    /provider 'anthropic' has no api 'embeddings'/,
  );
});

test('a provider hint from another family than the body is refused', (t) => {
  const body = geminiBody({ promptTokenCount: 1 });
  refused(
    t,
    () => extractUsage(body, { provider: 'anthropic' }),
    'opts.provider',
    /looks like a gemini generate_content response/,
  );
});

test('a plain-text body is refused for anything but transcription', (t) => {
  t.throws(() => extractUsage('hello', { provider: 'anthropic' }), { instanceOf: CaptureError });
});

test('CaptureError is an Error with a name and a path', (t) => {
  const err = new CaptureError('boom', 'usage.x');
  t.true(err instanceof Error);
  t.is(err.name, 'CaptureError');
  t.is(err.path, 'usage.x');
});
