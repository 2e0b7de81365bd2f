// Groq: OpenAI-compatible chat and transcription, with its own stream quirks.
// - `usage.queue_time/prompt_time/completion_time/total_time` are latency in seconds, not billing;
//   the chat usage schema simply never reads them.
// - Streams put usage either on an OpenAI-style final chunk (top-level `usage`, with include_usage)
//   or on the last chunk's `x_groq.usage`. The latter is used only when it has `prompt_tokens`,
//   because non-stream `x_groq.usage` holds dram/sram hardware cache stats that are not billing.
import { type Extracted, isObject, lastWith, type Obj, str, unknownTokensRecord } from './common.ts';
import type { Ctx } from './detect.ts';
import { chatRecord, chatStream, extractOpenAI } from './openai.ts';
import { extractTranscription } from './transcription.ts';

/** Groq echoes the tier it served ('on_demand', 'flex', 'performance'); kept as reported. */
function groqTier(x: unknown): string | null {
  return str(x);
}

function billingXGroqUsage(e: Obj): unknown {
  const xg = e.x_groq;
  return isObject(xg) && isObject(xg.usage) && 'prompt_tokens' in xg.usage ? xg.usage : null;
}

function groqChatStream(events: readonly unknown[], ctx: Ctx): Extracted {
  const top = chatStream(events, ctx, groqTier);
  if (top.raw_usage != null) return top;
  const found = lastWith(events, billingXGroqUsage, 'x_groq.usage');
  if (!found) return { ...top, usage: unknownTokensRecord() };
  return { ...top, usage: chatRecord(found.raw, found.path), raw_usage: found.raw };
}

function groqChatBody(body: Obj, ctx: Ctx): Extracted {
  return {
    model: str(body.model) ?? ctx.model,
    service_tier: groqTier(body.service_tier),
    usage: body.usage == null ? unknownTokensRecord() : chatRecord(body.usage, 'usage'),
    raw_usage: body.usage ?? null,
  };
}

export function extractGroq(input: unknown, ctx: Ctx): Extracted {
  if (ctx.api === 'transcription') return extractTranscription(input, ctx);
  if (ctx.api === 'chat') {
    return Array.isArray(input) ? groqChatStream(input, ctx) : groqChatBody(input as Obj, ctx);
  }
  // Groq's Responses API (beta) mirrors OpenAI's body exactly.
  return extractOpenAI(input, ctx);
}
