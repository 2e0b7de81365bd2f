// OpenAI: Chat Completions, Responses, embeddings and image generation, as bodies or streams.
// Every OpenAI total is inclusive (prompt_tokens already holds cached, audio and image tokens;
// completion_tokens already holds reasoning and audio), so the details are only ever subsets.
import { z } from 'zod';
import type { UsageRecord } from '../usage.ts';
import {
  assertDetails,
  CaptureError,
  count,
  counts,
  type Extracted,
  firstString,
  isObject,
  lastWith,
  type Obj,
  obj,
  parseAt,
  str,
  unknownTokensRecord,
  zeroRecord,
} from './common.ts';
import type { Ctx } from './detect.ts';
import { extractTranscription } from './transcription.ts';

/** The rate card actually applied. 'default' and 'auto' both mean the standard card. */
export function openaiTier(x: unknown): string | null {
  const tier = str(x);
  return tier === 'default' || tier === 'auto' ? 'standard' : tier;
}

/** Input details: `prompt_tokens_details` on chat, `input_tokens_details` on Responses and Images. */
const INPUT_DETAILS = [
  'cached_tokens',
  'cache_write_tokens',
  'audio_tokens',
  'image_tokens',
  'text_tokens',
] as const;
const COMPLETION_DETAILS = [
  'reasoning_tokens',
  'audio_tokens',
  'accepted_prediction_tokens',
  'rejected_prediction_tokens',
] as const;

const chatUsage = obj({
  prompt_tokens: count,
  completion_tokens: count,
  prompt_tokens_details: counts(INPUT_DETAILS).nullish(),
  completion_tokens_details: counts(COMPLETION_DETAILS).nullish(),
});

/** Chat Completions `usage` (also Groq's, which has the same meaning plus timing fields). */
export function chatRecord(raw: unknown, path: string): UsageRecord {
  const u = parseAt(chatUsage, raw, path);
  const pd = u.prompt_tokens_details;
  const cd = u.completion_tokens_details;
  assertDetails(path, pd, 'prompt_tokens_details', INPUT_DETAILS, 'prompt_tokens', u.prompt_tokens);
  assertDetails(
    path,
    cd,
    'completion_tokens_details',
    COMPLETION_DETAILS,
    'completion_tokens',
    u.completion_tokens,
  );
  return {
    ...zeroRecord(),
    input_tokens: u.prompt_tokens,
    output_tokens: u.completion_tokens,
    cached_input_tokens: pd?.cached_tokens ?? 0,
    cache_write_tokens: pd?.cache_write_tokens ?? 0,
    reasoning_tokens: cd?.reasoning_tokens ?? 0,
    input_audio_tokens: pd?.audio_tokens ?? 0,
    output_audio_tokens: cd?.audio_tokens ?? 0,
    // Chat normally folds image tokens into prompt_tokens; some audio-preview bodies break them out.
    input_image_tokens: pd?.image_tokens ?? 0,
  };
}

const OUTPUT_DETAILS = ['reasoning_tokens', 'audio_tokens', 'image_tokens', 'text_tokens'] as const;

/** Responses and Images share `input_tokens` / `input_tokens_details` (plural) / `output_tokens`. */
const ioUsage = obj({
  input_tokens: count,
  output_tokens: count,
  input_tokens_details: counts(INPUT_DETAILS).nullish(),
  output_tokens_details: counts(OUTPUT_DETAILS).nullish(),
});

function ioRecord(raw: unknown, path: string): UsageRecord {
  const u = parseAt(ioUsage, raw, path);
  const id = u.input_tokens_details;
  const od = u.output_tokens_details;
  assertDetails(path, id, 'input_tokens_details', INPUT_DETAILS, 'input_tokens', u.input_tokens);
  assertDetails(path, od, 'output_tokens_details', OUTPUT_DETAILS, 'output_tokens', u.output_tokens);
  return {
    ...zeroRecord(),
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    cached_input_tokens: id?.cached_tokens ?? 0,
    cache_write_tokens: id?.cache_write_tokens ?? 0,
    reasoning_tokens: od?.reasoning_tokens ?? 0,
    input_audio_tokens: id?.audio_tokens ?? 0,
    output_audio_tokens: od?.audio_tokens ?? 0,
    input_image_tokens: id?.image_tokens ?? 0,
  };
}

/** Chat stream: usage only on the extra final chunk (include_usage); otherwise unknown, never 0. */
export function chatStream(
  events: readonly unknown[],
  ctx: Ctx,
  tier: (x: unknown) => string | null,
): Extracted {
  const found = lastWith(events, (e) => e.usage, 'usage');
  const tierEvent = lastWith(events, (e) => e.service_tier, 'service_tier');
  return {
    model: firstString(events, (e) => e.model) ?? ctx.model,
    service_tier: tier(tierEvent?.raw),
    usage: found ? chatRecord(found.raw, found.path) : unknownTokensRecord(),
    raw_usage: found?.raw ?? null,
  };
}

/** Built-in tools are billed per call outside `usage`: count the web_search_call output items. */
function withWebSearches(record: UsageRecord, output: unknown): UsageRecord {
  const calls = Array.isArray(output)
    ? output.filter((o) => isObject(o) && o.type === 'web_search_call').length
    : 0;
  return calls > 0 ? { ...record, web_search_requests: calls } : record;
}

function responsesBody(body: Obj, path: string, ctx: Ctx): Extracted {
  const usage = body.usage == null ? unknownTokensRecord() : ioRecord(body.usage, `${path}usage`);
  return {
    model: str(body.model) ?? ctx.model,
    service_tier: openaiTier(body.service_tier),
    usage: withWebSearches(usage, body.output),
    raw_usage: body.usage ?? null,
  };
}

/** Responses stream: only the terminal event (completed / incomplete / failed) carries usage. */
function responsesStream(events: readonly unknown[], ctx: Ctx): Extracted {
  const terminal = lastWith(
    events,
    (e) => (isObject(e.response) && e.response.usage != null ? e.response : null),
    'response',
  );
  if (terminal) return responsesBody(terminal.raw as Obj, `${terminal.path}.`, ctx);
  const any = lastWith(events, (e) => (isObject(e.response) ? e.response : null), 'response');
  return { ...responsesBody((any?.raw as Obj) ?? {}, '', ctx), usage: unknownTokensRecord() };
}

const embeddingsUsage = obj({ prompt_tokens: count, total_tokens: count.nullish() });

function embeddingsBody(body: Obj, ctx: Ctx): Extracted {
  const usage =
    body.usage == null
      ? unknownTokensRecord()
      : { ...zeroRecord(), input_tokens: parseAt(embeddingsUsage, body.usage, 'usage').prompt_tokens };
  return { model: str(body.model) ?? ctx.model, service_tier: null, usage, raw_usage: body.usage ?? null };
}

const imagesData = z.array(z.unknown(), { error: 'must be an array of images' }).nullish();

/** Images: the body does not echo the model, so it comes from the request (ctx.model). */
function imagesBody(body: Obj, ctx: Ctx): Extracted {
  const data = parseAt(imagesData, body.data, 'data') ?? [];
  // dall-e-2/3 report no usage: they are priced per image, so tokens are a real 0.
  const tokens = body.usage == null ? zeroRecord() : ioRecord(body.usage, 'usage');
  return {
    model: str(body.model) ?? ctx.model,
    service_tier: null,
    usage: { ...tokens, image_count: data.length },
    raw_usage: body.usage ?? null,
  };
}

function chatBody(body: Obj, ctx: Ctx): Extracted {
  return {
    model: str(body.model) ?? ctx.model,
    service_tier: openaiTier(body.service_tier),
    usage: body.usage == null ? unknownTokensRecord() : chatRecord(body.usage, 'usage'),
    raw_usage: body.usage ?? null,
  };
}

export function extractOpenAI(input: unknown, ctx: Ctx): Extracted {
  if (ctx.api === 'transcription') return extractTranscription(input, ctx);
  if (Array.isArray(input)) {
    if (ctx.api === 'chat') return chatStream(input, ctx, openaiTier);
    if (ctx.api === 'responses') return responsesStream(input, ctx);
    // Embeddings are never streamed; image streams (partial_images) are not supported yet.
    throw new CaptureError(`${ctx.api} streams are not supported; pass the final parsed body`);
  }
  const body = input as Obj;
  switch (ctx.api) {
    case 'responses':
      return responsesBody(body, '', ctx);
    case 'embeddings':
      return embeddingsBody(body, ctx);
    case 'images':
      return imagesBody(body, ctx);
    default:
      return chatBody(body, ctx);
  }
}
