// Works out which provider and API produced a response, from the caller's hints and the body's shape.
// Hints win when they are compatible with the shape; OpenAI and Groq share shapes (Groq is
// OpenAI-compatible), as do Gemini and Vertex, so a hint may pick between those freely.
import { canonicalProvider, PROVIDER_ALIASES, PROVIDERS, type Provider } from '../usage.ts';
import { CaptureError, describe, isObject, type Obj } from './common.ts';

export const APIS = [
  'chat',
  'responses',
  'transcription',
  'embeddings',
  'images',
  'generate_content',
  'messages',
] as const;
export type Api = (typeof APIS)[number];

export const APIS_BY_PROVIDER: Record<Provider, readonly Api[]> = {
  openai: ['chat', 'responses', 'transcription', 'embeddings', 'images'],
  groq: ['chat', 'responses', 'transcription'],
  gemini: ['generate_content'],
  vertex: ['generate_content'],
  anthropic: ['messages'],
};

/** Spellings accepted for `opts.api` (lower-cased, up to the first space or parenthesis). */
const API_ALIASES: Record<string, Api> = {
  chat: 'chat',
  'chat.completions': 'chat',
  chat_completions: 'chat',
  responses: 'responses',
  transcription: 'transcription',
  transcriptions: 'transcription',
  'audio.transcriptions': 'transcription',
  // Translations share the transcription body and billing (Groq: whisper-large-v3 only).
  translation: 'transcription',
  'audio.translations': 'transcription',
  embeddings: 'embeddings',
  embedding: 'embeddings',
  images: 'images',
  'images.generate': 'images',
  'images.edit': 'images',
  image_generation: 'images',
  generate_content: 'generate_content',
  generatecontent: 'generate_content',
  streamgeneratecontent: 'generate_content',
  '@google/genai': 'generate_content',
  messages: 'messages',
};

export type Form = 'body' | 'stream' | 'text';

export interface Shape {
  provider: Provider;
  api: Api;
  form: Form;
  /** An error envelope (or a stream of nothing but error envelopes): not billed. */
  error: boolean;
}

export interface ShapeHints {
  provider?: string;
  api?: string;
}

export function canonicalApi(name: string): Api | undefined {
  const key = name.trim().toLowerCase().split(/[\s(]/)[0];
  return Object.hasOwn(API_ALIASES, key) ? API_ALIASES[key] : undefined;
}

export function allowedList(): string {
  return PROVIDERS.map((p) => `${p} (${APIS_BY_PROVIDER[p].join(', ')})`).join(', ');
}

const DEFAULT_API: Record<Provider, Api> = {
  openai: 'chat',
  groq: 'chat',
  gemini: 'generate_content',
  vertex: 'generate_content',
  anthropic: 'messages',
};

const FAMILY: Record<Provider, string> = {
  openai: 'openai',
  groq: 'openai',
  gemini: 'google',
  vertex: 'google',
  anthropic: 'anthropic',
};

/** `{error:{...}}` (OpenAI, Groq, google.rpc.Status) or `{type:'error', error:{...}}` (Anthropic). */
export function isErrorEnvelope(x: unknown): boolean {
  if (!isObject(x) || !isObject(x.error)) return false;
  if (x.type === 'error') return true;
  // A Responses body carries `error` (null on success, an object when failed) next to its usage.
  return x.object !== 'response' && x.usage == null && x.usageMetadata == null && !('choices' in x);
}

function errorProvider(x: Obj): Provider {
  const e = x.error as Obj;
  if (x.type === 'error') return 'anthropic';
  if (typeof e.status === 'string' && typeof e.code === 'number') return 'gemini';
  return 'x_groq' in x ? 'groq' : 'openai';
}

function isVertex(b: Obj): boolean {
  const um = b.usageMetadata ?? b.usage_metadata;
  return (
    'createTime' in b || 'create_time' in b || (isObject(um) && ('trafficType' in um || 'traffic_type' in um))
  );
}

function groqFlavoured(b: Obj): boolean {
  return 'x_groq' in b || 'usage_breakdown' in b || (isObject(b.usage) && 'queue_time' in b.usage);
}

type Guess = { provider: Provider; api: Api };

function guessBody(b: Obj): Guess | null {
  const u = b.usage;
  if (
    b.type === 'message' ||
    (isObject(u) && ('cache_read_input_tokens' in u || 'cache_creation_input_tokens' in u))
  ) {
    return { provider: 'anthropic', api: 'messages' };
  }
  if ('usageMetadata' in b || 'usage_metadata' in b || 'candidates' in b || 'promptFeedback' in b) {
    return { provider: isVertex(b) ? 'vertex' : 'gemini', api: 'generate_content' };
  }
  if (b.object === 'response') return { provider: 'openai', api: 'responses' };
  const groq = groqFlavoured(b);
  if (b.object === 'chat.completion' || b.object === 'chat.completion.chunk' || Array.isArray(b.choices)) {
    return { provider: groq ? 'groq' : 'openai', api: 'chat' };
  }
  if (Array.isArray(b.data)) {
    const first = b.data[0];
    if (isObject(first) && (first.object === 'embedding' || 'embedding' in first)) {
      return { provider: 'openai', api: 'embeddings' };
    }
    const image = isObject(first) ? 'b64_json' in first || 'url' in first : 'created' in b;
    if (image && b.object !== 'list') return { provider: 'openai', api: 'images' };
  }
  const transcriptionUsage = isObject(u) && (u.type === 'duration' || u.type === 'tokens' || 'seconds' in u);
  if (typeof b.text === 'string' || 'segments' in b || transcriptionUsage) {
    return { provider: groq ? 'groq' : 'openai', api: 'transcription' };
  }
  return null;
}

function guessStream(events: readonly Obj[]): Guess | null {
  let chat = false;
  let groq = false;
  let google = false;
  let vertex = false;
  for (const e of events) {
    const t = typeof e.type === 'string' ? e.type : '';
    if (t.startsWith('message_') || t.startsWith('content_block_') || t === 'ping') {
      return { provider: 'anthropic', api: 'messages' };
    }
    if (t.startsWith('response.')) return { provider: 'openai', api: 'responses' };
    if (t.startsWith('transcript.text.')) return { provider: 'openai', api: 'transcription' };
    const g = guessBody(e);
    if (g?.api === 'generate_content') {
      google = true;
      vertex ||= g.provider === 'vertex';
    }
    if (g?.api === 'chat') chat = true;
    groq ||= groqFlavoured(e);
  }
  if (google) return { provider: vertex ? 'vertex' : 'gemini', api: 'generate_content' };
  if (chat) return { provider: groq ? 'groq' : 'openai', api: 'chat' };
  return null;
}

function unknownShape(input: unknown): CaptureError {
  const what = isObject(input)
    ? `an object with keys [${Object.keys(input).slice(0, 12).join(', ')}]`
    : Array.isArray(input)
      ? `a stream of ${input.length} events`
      : describe(input);
  return new CaptureError(
    `unrecognised response shape: got ${what}. Allowed provider (api): ${allowedList()}. ` +
      'Pass opts.provider and opts.api if the body is valid but unusual.',
  );
}

function resolveHints(hints: ShapeHints): { provider?: Provider; api?: Api } {
  const provider = hints.provider === undefined ? undefined : canonicalProvider(hints.provider);
  if (hints.provider !== undefined && !provider) {
    const names = Object.keys(PROVIDER_ALIASES).join(', ');
    throw new CaptureError(`unknown provider '${hints.provider}'; allowed: ${names}`, 'opts.provider');
  }
  const api = hints.api === undefined ? undefined : canonicalApi(hints.api);
  if (hints.api !== undefined && !api) {
    throw new CaptureError(`unknown api '${hints.api}'; allowed: ${APIS.join(', ')}`, 'opts.api');
  }
  return { provider, api };
}

function checkPair(provider: Provider, api: Api): void {
  if (!APIS_BY_PROVIDER[provider].includes(api)) {
    throw new CaptureError(
      `provider '${provider}' has no api '${api}'. Allowed: ${allowedList()}`,
      'opts.api',
    );
  }
}

/** Classifies `input` (a parsed body, an array of stream events, or a text body). */
export function detectShape(input: unknown, hints: ShapeHints = {}): Shape {
  const given = resolveHints(hints);
  if (typeof input === 'string') {
    const provider = given.provider ?? 'openai';
    const api = given.api ?? 'transcription';
    if (api !== 'transcription') {
      throw new CaptureError(`a plain-text body is only valid for transcription, not '${api}'`);
    }
    checkPair(provider, api);
    return { provider, api, form: 'text', error: false };
  }
  const events = Array.isArray(input) ? input.filter(isObject) : null;
  if (!events && !isObject(input)) throw unknownShape(input);
  const form: Form = events ? 'stream' : 'body';
  const onlyErrors = events ? events.length > 0 && events.every(isErrorEnvelope) : isErrorEnvelope(input);
  if (onlyErrors) {
    const provider = given.provider ?? errorProvider((events ? events[0] : input) as Obj);
    return { provider, api: given.api ?? DEFAULT_API[provider], form, error: true };
  }
  if (events?.length === 0) throw new CaptureError('empty stream: no events to read usage from');
  const guess = events ? guessStream(events) : guessBody(input as Obj);
  if (guess && given.provider && FAMILY[guess.provider] !== FAMILY[given.provider]) {
    throw new CaptureError(
      `the body looks like a ${guess.provider} ${guess.api} response, not a ${given.provider} one`,
      'opts.provider',
    );
  }
  const provider = given.provider ?? guess?.provider;
  if (!provider) throw unknownShape(input);
  // A provider with a single API needs no shape evidence for it.
  const only = APIS_BY_PROVIDER[provider].length === 1 ? APIS_BY_PROVIDER[provider][0] : undefined;
  const api = given.api ?? guess?.api ?? only;
  if (!api) throw unknownShape(input);
  checkPair(provider, api);
  return { provider, api, form, error: false };
}

/** What an extractor is told: the detected shape plus the model the caller asked for. */
export interface Ctx extends Shape {
  /** Requested model, used when the body does not echo the served one. */
  model: string | null;
}
