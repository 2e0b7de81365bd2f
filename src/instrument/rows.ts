// Turns a captured response plus the call's context into the row recordUsage stores.
import { randomUUID } from 'node:crypto';
import type { Api } from '../capture/extract.ts';
import type { UsageRowInput } from '../ingest/usage-row.ts';
import type { CapturedUsage, Operation, UsageRecord } from '../usage.ts';
import type { CostContext } from './context.ts';

const DEFAULT_OPERATION: Record<Api, Operation> = {
  chat: 'chat',
  responses: 'chat',
  generate_content: 'chat',
  messages: 'chat',
  transcription: 'transcription',
  embeddings: 'embedding',
  images: 'image_generation',
};

export function defaultOperation(api: string): Operation {
  return DEFAULT_OPERATION[api as Api] ?? 'other';
}

/** A billed call whose usage is unknown: null tokens; null seconds only where the call is duration-billed. */
export function unknownCallUsage(api: string): UsageRecord {
  return {
    input_tokens: null,
    output_tokens: null,
    cached_input_tokens: null,
    cache_write_tokens: null,
    reasoning_tokens: null,
    input_audio_tokens: null,
    output_audio_tokens: null,
    input_image_tokens: null,
    audio_seconds: api === 'transcription' ? null : 0,
    requests: 1,
  };
}

/** A call the provider refused (HTTP 4xx/5xx): not billed. */
export function notBilledUsage(): UsageRecord {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    input_audio_tokens: 0,
    output_audio_tokens: 0,
    input_image_tokens: 0,
    audio_seconds: 0,
    requests: 0,
  };
}

export interface RowMeta {
  idempotency_key?: string;
  occurred_at?: string;
  /** The operation when the context names none. */
  operation?: Operation;
  /** The model when the capture found none (e.g. the one the request asked for). */
  model?: string | null;
}

/** The recordUsage row for one captured call. Keys and times are fixed here, so a retry sends the same row. */
export function usageRow(
  captured: CapturedUsage,
  ctx: Partial<CostContext>,
  meta: RowMeta = {},
): UsageRowInput {
  return {
    idempotency_key: meta.idempotency_key ?? ctx.idempotencyKey?.() ?? randomUUID(),
    occurred_at: meta.occurred_at ?? new Date().toISOString(),
    instance_id: ctx.instance_id as string,
    batch_job_id: ctx.batch_job_id ?? null,
    message_id: ctx.message_id ?? null,
    provider: captured.provider,
    model: (captured.model ?? meta.model ?? ctx.model) as string,
    operation: ctx.operation ?? meta.operation ?? defaultOperation(captured.api),
    service_tier: captured.service_tier,
    ...captured.usage,
    raw_usage: captured.raw_usage ?? null,
  };
}

/** What a row lacks before it can be recorded (instance or model), or null when it is complete. */
export function missingContext(row: UsageRowInput): string | null {
  if (!row.instance_id)
    return 'no instance_id in the cost context (pass it to createCostFetch or withCostContext)';
  if (!row.model)
    return 'the model is unknown: neither the response nor the request names it (set context.model)';
  return null;
}
