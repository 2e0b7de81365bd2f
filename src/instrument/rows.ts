// Turns a captured response plus the call's context into the row recordUsage stores.
import { randomUUID } from 'node:crypto';
import { unknownTokensRecord } from '../capture/common.ts';
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
  return { ...unknownTokensRecord(), audio_seconds: api === 'transcription' ? null : 0 };
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
