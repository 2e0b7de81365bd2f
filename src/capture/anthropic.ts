// Anthropic Messages, as a message body or a stream of message events.
// Traps handled here:
// - usage.input_tokens is the UNCACHED remainder: total input = input + cache writes + cache reads;
// - with compaction/advisor steps the top-level usage is the final iteration only, so when
//   usage.iterations[] is present the bill is the sum of the iterations;
// - in streams message_delta.usage is cumulative: merge it over message_start (later non-null wins),
//   never add.
import { z } from 'zod';
import type { UsageRecord } from '../usage.ts';
import {
  assertSubset,
  count,
  type Extracted,
  isObject,
  type Obj,
  obj,
  parseAt,
  str,
  sumPresent,
  unknownTokensRecord,
  zeroRecord,
} from './common.ts';
import type { Ctx } from './detect.ts';

const optCount = count.nullish();
const cacheCreation = obj({
  ephemeral_5m_input_tokens: optCount,
  ephemeral_1h_input_tokens: optCount,
}).nullish();

const iteration = obj({
  type: z.string().nullish(),
  input_tokens: optCount,
  output_tokens: optCount,
  cache_creation_input_tokens: optCount,
  cache_read_input_tokens: optCount,
  cache_creation: cacheCreation,
});
type Part = z.output<typeof iteration>;

const usageSchema = obj({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: optCount,
  cache_read_input_tokens: optCount,
  cache_creation: cacheCreation,
  output_tokens_details: obj({ thinking_tokens: optCount }).nullish(),
  server_tool_use: obj({ web_search_requests: optCount, web_fetch_requests: optCount }).nullish(),
  iterations: z.array(iteration, { error: 'must be an array' }).nullish(),
  service_tier: z.string().nullish(),
});

/** The TTL split of the writes cannot exceed the writes themselves. */
function checkSplit(p: Part, path: string): void {
  const split =
    (p.cache_creation?.ephemeral_5m_input_tokens ?? 0) + (p.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  const writes = `${path}.cache_creation_input_tokens`;
  const splitPath = `${path}.cache_creation`;
  const label = `${splitPath}.ephemeral_5m_input_tokens + ephemeral_1h_input_tokens`;
  assertSubset(label, split, writes, p.cache_creation_input_tokens ?? 0, splitPath);
}

function usageRecord(raw: unknown, path: string): { record: UsageRecord; tier: string | null } {
  const u = parseAt(usageSchema, raw, path);
  checkSplit(u, path);
  for (const [i, it] of (u.iterations ?? []).entries()) checkSplit(it, `${path}.iterations[${i}]`);
  const thinking = u.output_tokens_details?.thinking_tokens;
  assertSubset(
    `${path}.output_tokens_details.thinking_tokens`,
    thinking,
    `${path}.output_tokens`,
    u.output_tokens,
  );

  // Compaction: the top level mirrors only the last iteration; the sum is what was sampled and billed.
  const parts: Part[] = u.iterations && u.iterations.length > 0 ? u.iterations : [u];
  const sum = (f: (p: Part) => number | null | undefined) => sumPresent(parts.map(f)) ?? 0;
  const uncached = sum((p) => p.input_tokens);
  const writes = sum((p) => p.cache_creation_input_tokens);
  const reads = sum((p) => p.cache_read_input_tokens);
  const record: UsageRecord = {
    ...zeroRecord(),
    input_tokens: uncached + writes + reads,
    output_tokens: sum((p) => p.output_tokens),
    cached_input_tokens: reads,
    cache_write_tokens: writes,
    reasoning_tokens: thinking ?? 0,
  };
  const w5 = sumPresent(parts.map((p) => p.cache_creation?.ephemeral_5m_input_tokens));
  const w1 = sumPresent(parts.map((p) => p.cache_creation?.ephemeral_1h_input_tokens));
  if (w5 != null) record.cache_write_5m_tokens = w5;
  if (w1 != null) record.cache_write_1h_tokens = w1;
  const searches = u.server_tool_use?.web_search_requests;
  if (searches != null) record.web_search_requests = searches;
  return { record, tier: str(u.service_tier) };
}

function fromMessage(msg: Obj, path: string, ctx: Ctx): Extracted {
  if (msg.usage == null) {
    return {
      model: str(msg.model) ?? ctx.model,
      service_tier: null,
      usage: unknownTokensRecord(),
      raw_usage: null,
    };
  }
  const { record, tier } = usageRecord(msg.usage, `${path}usage`);
  return { model: str(msg.model) ?? ctx.model, service_tier: tier, usage: record, raw_usage: msg.usage };
}

const deltaUsage = obj({
  input_tokens: optCount,
  output_tokens: optCount,
  cache_creation_input_tokens: optCount,
  cache_read_input_tokens: optCount,
});

/** Merges message_start's usage with the cumulative message_delta usages: a later non-null value wins. */
export function mergeStreamUsage(events: readonly unknown[]): { message: Obj | null; usage: Obj | null } {
  let message: Obj | null = null;
  let usage: Obj | null = null;
  events.forEach((e, i) => {
    if (!isObject(e)) return;
    if (e.type === 'message_start' && isObject(e.message)) {
      message = e.message;
      usage = isObject(e.message.usage) ? { ...e.message.usage } : usage;
    } else if (e.type === 'message_delta' && isObject(e.usage)) {
      parseAt(deltaUsage, e.usage, `[${i}].usage`);
      const merged: Obj = { ...(usage ?? {}) };
      for (const [k, v] of Object.entries(e.usage)) if (v != null) merged[k] = v;
      usage = merged;
    }
  });
  return { message, usage };
}

export function extractAnthropic(input: unknown, ctx: Ctx): Extracted {
  if (!Array.isArray(input)) return fromMessage(input as Obj, '', ctx);
  const { message, usage } = mergeStreamUsage(input);
  // Paths of the merged usage are reported under "stream.usage" (it has no single source event).
  return fromMessage({ ...(message ?? {}), usage }, 'stream.', ctx);
}
