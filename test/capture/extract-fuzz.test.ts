// Fuzzing extractUsage (src/capture/extract.ts) with fast-check: whatever a provider (or a broken proxy)
// sends, the outcome is a consistent usage record or a CaptureError naming the offending path — never a
// TypeError, never a negative, NaN, fractional or beyond-int4 count.
import test from 'ava';
import fc from 'fast-check';
import { CaptureError, extractUsage } from '../../src/capture/extract.ts';
import { MAX_COUNT, SUBSET_RULES, usageRecordSchema } from '../../src/usage.ts';
import { anthropicMessage, chatBody, chatStream, geminiBody, responsesBody } from './bodies.ts';

const KNOWN_PROVIDERS = ['openai', 'groq', 'gemini', 'vertex', 'anthropic', 'google', 'google-vertex'];
const KNOWN_APIS = [
  'chat',
  'responses',
  'transcription',
  'embeddings',
  'images',
  'generate_content',
  'messages',
];

const opts = fc.record(
  {
    provider: fc.oneof(fc.constantFrom(...KNOWN_PROVIDERS), fc.string({ maxLength: 12 })),
    api: fc.oneof(fc.constantFrom(...KNOWN_APIS), fc.string({ maxLength: 12 })),
    model: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
);

/** Throws unless the outcome is a consistent record or a CaptureError with a string path. */
function checkOutcome(run: () => ReturnType<typeof extractUsage>): 'ok' | 'refused' {
  let out: ReturnType<typeof extractUsage>;
  try {
    out = run();
  } catch (error) {
    if (error instanceof CaptureError && typeof error.path === 'string' && error.message.length > 0)
      return 'refused';
    throw new Error(`not a CaptureError: ${(error as Error)?.stack ?? String(error)}`);
  }
  const parsed = usageRecordSchema.safeParse(out.usage);
  if (!parsed.success) throw new Error(`inconsistent record: ${JSON.stringify(out.usage)}`);
  const rec = out.usage as Record<string, unknown>;
  for (const [k, v] of Object.entries(rec)) {
    if (
      typeof v === 'number' &&
      (!Number.isFinite(v) || v < 0 || (k !== 'audio_seconds' && !Number.isInteger(v)) || v > MAX_COUNT)
    ) {
      throw new Error(`${k} = ${v}`);
    }
  }
  for (const [part, whole] of SUBSET_RULES) {
    const p = rec[part];
    const w = rec[whole];
    if (typeof p === 'number' && typeof w === 'number' && p > w)
      throw new Error(`${part} ${p} > ${whole} ${w}`);
  }
  return 'ok';
}

test('arbitrary values, with or without hints, give a consistent record or a CaptureError', (t) => {
  const tally = { ok: 0, refused: 0 };
  fc.assert(
    fc.property(
      fc.anything({
        maxDepth: 4,
        withBigInt: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withTypedArray: true,
        withSparseArray: true,
        withNullPrototype: true,
        withBoxedValues: true,
      }),
      opts,
      (input, o) => {
        tally[checkOutcome(() => extractUsage(input, o))]++;
      },
    ),
    { numRuns: 2000 },
  );
  t.log(tally);
  t.pass();
});

/** A number a provider should never send as a count. */
const badCount = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: -1 }),
  fc.integer({ min: MAX_COUNT + 1, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, -0.5, 1.5, 1e300, '12', '', true, {}, [3]),
);

interface Template {
  name: string;
  /** Builds a body (or a stream) around a usage object. */
  body: (usage: Record<string, unknown>) => unknown;
  /** Where the usage object sits in the input, as CaptureError paths spell it. */
  at: string;
  usage: Record<string, unknown>;
  /** Paths (relative to the usage object) of the counts to corrupt. */
  fields: string[];
}

const templates: Template[] = [
  {
    name: 'openai chat',
    body: (u) => chatBody(u),
    at: 'usage',
    usage: {
      prompt_tokens: 1000,
      completion_tokens: 200,
      prompt_tokens_details: { cached_tokens: 100, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 50, audio_tokens: 0 },
    },
    fields: [
      'prompt_tokens',
      'completion_tokens',
      'prompt_tokens_details.cached_tokens',
      'completion_tokens_details.reasoning_tokens',
    ],
  },
  {
    name: 'openai chat stream',
    body: (u) => chatStream(2, u),
    at: '[3].usage',
    usage: { prompt_tokens: 1000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 100 } },
    fields: ['prompt_tokens', 'completion_tokens', 'prompt_tokens_details.cached_tokens'],
  },
  {
    name: 'openai responses',
    body: (u) => responsesBody(u),
    at: 'usage',
    usage: {
      input_tokens: 1000,
      output_tokens: 200,
      input_tokens_details: { cached_tokens: 100 },
      output_tokens_details: { reasoning_tokens: 50 },
    },
    fields: [
      'input_tokens',
      'output_tokens',
      'input_tokens_details.cached_tokens',
      'output_tokens_details.reasoning_tokens',
    ],
  },
  {
    name: 'gemini',
    body: (u) => geminiBody(u),
    at: 'usageMetadata',
    usage: {
      promptTokenCount: 1000,
      candidatesTokenCount: 200,
      cachedContentTokenCount: 100,
      thoughtsTokenCount: 30,
    },
    fields: ['promptTokenCount', 'candidatesTokenCount', 'cachedContentTokenCount', 'thoughtsTokenCount'],
  },
  {
    name: 'anthropic',
    body: (u) => anthropicMessage(u),
    at: 'usage',
    usage: {
      input_tokens: 1000,
      output_tokens: 200,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 50,
    },
    fields: ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'],
  },
];

function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
  return copy;
}

test('one bad count in an otherwise valid body is refused with exactly that path', (t) => {
  for (const tpl of templates)
    t.is(
      checkOutcome(() => extractUsage(tpl.body(tpl.usage))),
      'ok',
      tpl.name,
    );
  const misses: string[] = [];
  fc.assert(
    fc.property(
      fc
        .constantFrom(...templates)
        .chain((tpl) => fc.tuple(fc.constant(tpl), fc.constantFrom(...tpl.fields), badCount)),
      ([tpl, field, value]) => {
        const input = tpl.body(setPath(tpl.usage, field, value));
        let error: unknown;
        try {
          extractUsage(input);
        } catch (e) {
          error = e;
        }
        const want = `${tpl.at}.${field}`;
        if (!(error instanceof CaptureError)) {
          throw new Error(
            `${tpl.name}: ${want} = ${String(value)} was ${error ? `thrown as ${error}` : 'accepted'}`,
          );
        }
        if (error.path !== want)
          misses.push(`${tpl.name}: ${want} = ${String(value)} -> path "${error.path}"`);
      },
    ),
    { numRuns: 1500 },
  );
  t.deepEqual(misses.slice(0, 10), [], 'the error path names another field');
});

test('an unknown provider hint is refused, naming the option', (t) => {
  fc.assert(
    fc.property(
      fc
        .string({ maxLength: 15 })
        .filter(
          (s) =>
            !KNOWN_PROVIDERS.includes(s.trim().toLowerCase()) &&
            s.trim() !== 'google-gemini' &&
            s.trim() !== 'google-gla',
        ),
      (provider) => {
        try {
          extractUsage(chatBody({ prompt_tokens: 1, completion_tokens: 1 }), { provider });
        } catch (error) {
          if (error instanceof CaptureError && error.path === 'opts.provider') return;
          throw error;
        }
        throw new Error(`accepted provider ${JSON.stringify(provider)}`);
      },
    ),
  );
  t.pass();
});

const API_SPELLINGS = new Set([
  'chat',
  'chat.completions',
  'chat_completions',
  'responses',
  'transcription',
  'transcriptions',
  'audio.transcriptions',
  'translation',
  'audio.translations',
  'embeddings',
  'embedding',
  'images',
  'images.generate',
  'images.edit',
  'image_generation',
  'generate_content',
  'generatecontent',
  'streamgeneratecontent',
  '@google/genai',
  'messages',
]);

test('an unknown api hint is refused, naming the option, whatever the body (also __proto__ and constructor)', (t) => {
  const bodies = [
    chatBody({ prompt_tokens: 1, completion_tokens: 1 }),
    { error: { message: 'rate limited' } },
    'plain text',
  ];
  fc.assert(
    fc.property(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty'),
        fc
          .string({ maxLength: 15 })
          .filter((s) => !API_SPELLINGS.has(s.trim().toLowerCase().split(/[\s(]/)[0])),
      ),
      fc.constantFrom(...bodies),
      (api, body) => {
        let outcome: unknown;
        try {
          outcome = extractUsage(body, { api });
        } catch (error) {
          if (error instanceof CaptureError && error.path === 'opts.api') return;
          throw new Error(
            `api ${JSON.stringify(api)}: ${String(error)} (path ${(error as CaptureError).path})`,
          );
        }
        throw new Error(
          `api ${JSON.stringify(api)} accepted, api = ${String((outcome as { api: unknown }).api)}`,
        );
      },
    ),
    { numRuns: 500 },
  );
  t.pass();
});
