// The single entry point of capture: one provider response in, one normalized usage record out.
// Accepted inputs: a parsed body, an SDK response object, an array of parsed stream events, or a
// plain-text body (transcription text/srt/vtt formats).
import type { CapturedUsage } from '../usage.ts';
import { extractAnthropic } from './anthropic.ts';
import { CaptureError, checkRecord, describe, type Extracted, errorRecord, isObject } from './common.ts';
import { type Ctx, detectShape } from './detect.ts';
import { extractGemini } from './gemini.ts';
import { extractGroq } from './groq.ts';
import { extractOpenAI } from './openai.ts';

export { CaptureError } from './common.ts';
export { APIS, APIS_BY_PROVIDER, type Api, canonicalApi, detectShape, type Shape } from './detect.ts';

export interface ExtractOptions {
  /** Provider id or alias ('google-gemini' -> 'gemini', 'google-vertex' -> 'vertex'). Detected when absent. */
  provider?: string;
  /** API flavour, e.g. 'chat', 'chat.completions', 'responses', 'audio.transcriptions'. Detected when absent. */
  api?: string;
  /** The model requested; used when the body does not echo the served model (images, transcription). */
  model?: string;
}

/** SSE readers often keep the `[DONE]` sentinel; anything else that is not an object is a bad capture. */
function streamEvents(input: readonly unknown[]): unknown[] {
  input.forEach((e, i) => {
    if (!isObject(e) && e !== '[DONE]') {
      throw new CaptureError(`[${i}] must be a parsed event object, got ${describe(e)}`, `[${i}]`);
    }
  });
  return input.filter((e) => e !== '[DONE]');
}

function dispatch(input: unknown, ctx: Ctx): Extracted {
  switch (ctx.provider) {
    case 'openai':
      return extractOpenAI(input, ctx);
    case 'groq':
      return extractGroq(input, ctx);
    case 'gemini':
    case 'vertex':
      return extractGemini(input, ctx);
    case 'anthropic':
      return extractAnthropic(input, ctx);
  }
}

/**
 * Normalized usage of one provider response. Throws CaptureError (with the offending `path`) for
 * malformed bodies, impossible numbers and unrecognised shapes.
 */
export function extractUsage(input: unknown, opts: ExtractOptions = {}): CapturedUsage {
  const body = Array.isArray(input) ? streamEvents(input) : input;
  const shape = detectShape(body, opts);
  const ctx: Ctx = { ...shape, model: opts.model ?? null };
  const { provider, api } = shape;
  if (shape.error) {
    return { provider, api, model: ctx.model, service_tier: null, usage: errorRecord(), raw_usage: null };
  }
  const out = dispatch(body, ctx);
  return {
    provider,
    api,
    model: out.model,
    service_tier: out.service_tier,
    usage: checkRecord(out.usage),
    raw_usage: out.raw_usage,
  };
}
