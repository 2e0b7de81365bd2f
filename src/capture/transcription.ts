// Audio transcription (and translation) for OpenAI and Groq. Two billing schemes meet here:
// - duration-billed (whisper-1, gpt-transcribe, every Groq whisper): the body reports seconds
//   (`usage.seconds`, else verbose_json `duration`) or nothing, and then the file must be measured;
// - token-billed (gpt-4o-transcribe, gpt-4o-mini-transcribe): `usage.input_tokens` etc., where the
//   details object is spelled `input_token_details` (singular), unlike Responses/Images.
import type { UsageRecord } from '../usage.ts';
import {
  assertSubset,
  count,
  type Extracted,
  isObject,
  type Obj,
  obj,
  parseAt,
  seconds,
  unknownTokensRecord,
  zeroRecord,
} from './common.ts';
import type { Ctx } from './detect.ts';

/** Models billed by tokens; every other transcription model is billed by duration. */
const TOKEN_BILLED = /^gpt-4o(-mini)?-transcribe(?!-diarize)/;

export function isTokenBilledTranscription(provider: string, model: string | null): boolean {
  return provider === 'openai' && model !== null && TOKEN_BILLED.test(model);
}

const durationUsage = obj({ seconds });

const tokenUsage = obj({
  input_tokens: count,
  output_tokens: count,
  input_token_details: obj({ audio_tokens: count.nullish(), text_tokens: count.nullish() }).nullish(),
});

function tokenRecord(raw: unknown, path: string): UsageRecord {
  const u = parseAt(tokenUsage, raw, path);
  const d = u.input_token_details;
  const whole = `${path}.input_tokens`;
  assertSubset(`${path}.input_token_details.audio_tokens`, d?.audio_tokens, whole, u.input_tokens);
  assertSubset(`${path}.input_token_details.text_tokens`, d?.text_tokens, whole, u.input_tokens);
  const parts = (d?.audio_tokens ?? 0) + (d?.text_tokens ?? 0);
  const sumPath = `${path}.input_token_details`;
  assertSubset(`${sumPath}.audio_tokens + text_tokens`, parts, whole, u.input_tokens, sumPath);
  return {
    ...zeroRecord(),
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    input_audio_tokens: d?.audio_tokens ?? 0,
  };
}

/** `usage` is a union: `{type:'duration', seconds}` or token usage (its `type` may be missing on stream events). */
function usageRecord(raw: unknown, path: string): UsageRecord {
  if (isObject(raw) && (raw.type === 'duration' || ('seconds' in raw && !('input_tokens' in raw)))) {
    const s = parseAt(durationUsage, raw, path).seconds;
    return { ...zeroRecord(), audio_seconds: s, audio_seconds_source: 'reported' };
  }
  return tokenRecord(raw, path);
}

/** No usage object: fall back to verbose_json `duration`, else say what is unknown. */
function withoutUsage(body: Obj | null, ctx: Ctx): UsageRecord {
  if (body && body.duration != null) {
    const s = parseAt(seconds, body.duration, 'duration');
    return { ...zeroRecord(), audio_seconds: s, audio_seconds_source: 'reported' };
  }
  if (isTokenBilledTranscription(ctx.provider, ctx.model)) return unknownTokensRecord();
  // Duration-billed and nothing reported: null tells the caller to measure the file.
  return { ...zeroRecord(), audio_seconds: null };
}

function fromBody(body: Obj, ctx: Ctx): Extracted {
  const usage = body.usage == null ? withoutUsage(body, ctx) : usageRecord(body.usage, 'usage');
  return { model: ctx.model, service_tier: null, usage, raw_usage: body.usage ?? null };
}

/** Streamed transcription (gpt-4o* models): only `transcript.text.done` carries usage. */
function fromStream(events: readonly unknown[], ctx: Ctx): Extracted {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (isObject(e) && e.type === 'transcript.text.done' && e.usage != null) {
      return {
        model: ctx.model,
        service_tier: null,
        usage: usageRecord(e.usage, `[${i}].usage`),
        raw_usage: e.usage,
      };
    }
  }
  // Only token-billed models stream, so a stream without usage has unknown tokens.
  return { model: ctx.model, service_tier: null, usage: unknownTokensRecord(), raw_usage: null };
}

export function extractTranscription(input: unknown, ctx: Ctx): Extracted {
  if (typeof input === 'string') {
    // text / srt / vtt formats: a bare transcript, no usage at all.
    return { model: ctx.model, service_tier: null, usage: withoutUsage(null, ctx), raw_usage: null };
  }
  if (Array.isArray(input)) return fromStream(input, ctx);
  return fromBody(input as Obj, ctx);
}
