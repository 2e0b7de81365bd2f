// The benchmark's world: 20 priced models, 100 instances, and a deterministic generator of usage rows as a
// worker reports them to recordUsage (same fields, realistic token counts, the provider's raw usage object).
import { createHash } from 'node:crypto';
import type { CommonQueryMethods } from 'slonik';
import { addPrice } from '../../test/helpers/fixtures.ts';

type Op = 'chat' | 'transcription' | 'image_description' | 'document_extraction' | 'embedding';

export interface BenchModel {
  provider: 'openai' | 'groq' | 'gemini' | 'vertex' | 'anthropic';
  /** Priced (canonical) model id. */
  model: string;
  /** As the provider reports it (a dated snapshot for some, so the snapshot rule is exercised). */
  served: string;
  operation: Op;
  prices: Record<string, string>;
}

const tok = (input: string, output: string, cached?: string) => ({
  input_usd_per_mtok: input,
  output_usd_per_mtok: output,
  ...(cached ? { cached_input_usd_per_mtok: cached } : {}),
});

export const MODELS: readonly BenchModel[] = [
  {
    provider: 'openai',
    model: 'gpt-4o',
    served: 'gpt-4o-2024-08-06',
    operation: 'chat',
    prices: tok('2.5', '10', '1.25'),
  },
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    served: 'gpt-4o-mini',
    operation: 'image_description',
    prices: tok('0.15', '0.6', '0.075'),
  },
  {
    provider: 'openai',
    model: 'gpt-4.1',
    served: 'gpt-4.1',
    operation: 'document_extraction',
    prices: tok('2', '8', '0.5'),
  },
  {
    provider: 'openai',
    model: 'gpt-4.1-mini',
    served: 'gpt-4.1-mini-2025-04-14',
    operation: 'chat',
    prices: tok('0.4', '1.6', '0.1'),
  },
  {
    provider: 'openai',
    model: 'gpt-4o-transcribe',
    served: 'gpt-4o-transcribe',
    operation: 'transcription',
    prices: tok('2.5', '10'),
  },
  {
    provider: 'openai',
    model: 'whisper-1',
    served: 'whisper-1',
    operation: 'transcription',
    prices: { audio_usd_per_hour: '0.36' },
  },
  {
    provider: 'openai',
    model: 'text-embedding-3-small',
    served: 'text-embedding-3-small',
    operation: 'embedding',
    prices: { input_usd_per_mtok: '0.02' },
  },
  {
    provider: 'groq',
    model: 'whisper-large-v3',
    served: 'whisper-large-v3',
    operation: 'transcription',
    prices: { audio_usd_per_hour: '0.111', audio_min_seconds: '10' },
  },
  {
    provider: 'groq',
    model: 'whisper-large-v3-turbo',
    served: 'whisper-large-v3-turbo',
    operation: 'transcription',
    prices: { audio_usd_per_hour: '0.04', audio_min_seconds: '10' },
  },
  {
    provider: 'groq',
    model: 'llama-3.3-70b-versatile',
    served: 'llama-3.3-70b-versatile',
    operation: 'chat',
    prices: tok('0.59', '0.79'),
  },
  {
    provider: 'groq',
    model: 'llama-3.1-8b-instant',
    served: 'llama-3.1-8b-instant',
    operation: 'chat',
    prices: tok('0.05', '0.08'),
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash',
    served: 'gemini-2.5-flash',
    operation: 'image_description',
    prices: tok('0.3', '2.5', '0.075'),
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-pro',
    served: 'gemini-2.5-pro',
    operation: 'document_extraction',
    prices: tok('1.25', '10', '0.31'),
  },
  {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    served: 'gemini-2.0-flash-001',
    operation: 'image_description',
    prices: tok('0.1', '0.4', '0.025'),
  },
  {
    provider: 'gemini',
    model: 'gemini-2.5-flash-lite',
    served: 'gemini-2.5-flash-lite',
    operation: 'chat',
    prices: tok('0.1', '0.4', '0.025'),
  },
  {
    provider: 'vertex',
    model: 'gemini-2.5-flash',
    served: 'publishers/google/models/gemini-2.5-flash',
    operation: 'image_description',
    prices: tok('0.3', '2.5', '0.075'),
  },
  {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    served: 'claude-sonnet-4-5-20250929',
    operation: 'chat',
    prices: tok('3', '15', '0.3'),
  },
  {
    provider: 'anthropic',
    model: 'claude-haiku-4-5',
    served: 'claude-haiku-4-5',
    operation: 'image_description',
    prices: tok('1', '5', '0.1'),
  },
  {
    provider: 'anthropic',
    model: 'claude-opus-4-1',
    served: 'claude-opus-4-1-20250805',
    operation: 'document_extraction',
    prices: tok('15', '75', '1.5'),
  },
  {
    provider: 'anthropic',
    model: 'claude-3-5-haiku',
    served: 'claude-3-5-haiku-20241022',
    operation: 'chat',
    prices: tok('0.8', '4', '0.08'),
  },
];

export const INSTANCE_COUNT = 100;

/** Deterministic uuid from a string (stable instance ids across runs). */
export function uuidOf(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const INSTANCES: readonly string[] = Array.from({ length: INSTANCE_COUNT }, (_, i) =>
  uuidOf(`instance-${i}`),
);

/** Price rows for MODELS, in force since 2024-01-01. */
export async function seedPrices(db: CommonQueryMethods): Promise<void> {
  for (const m of MODELS) {
    await addPrice(db, {
      provider: m.provider,
      model: m.model,
      from: '2024-01-01T00:00:00Z',
      prices: m.prices,
    });
  }
}

/** xorshift32: fast, deterministic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export interface RowOptions {
  key: string;
  occurredAt: Date;
  batchJobId?: string | null;
  rand: () => number;
}

/** One usage row as a worker reports it (the input of recordUsage). */
export function usageRow(o: RowOptions): Record<string, unknown> {
  const r = o.rand;
  const m = MODELS[Math.floor(r() * MODELS.length)];
  const instance = INSTANCES[Math.floor(r() * INSTANCES.length)];
  const row: Record<string, unknown> = {
    idempotency_key: o.key,
    occurred_at: o.occurredAt.toISOString(),
    instance_id: instance,
    batch_job_id: o.batchJobId ?? null,
    message_id: r() < 0.7 ? `msg-${Math.floor(r() * 1e9)}` : null,
    provider: m.provider,
    model: m.served,
    operation: m.operation,
  };
  if (m.prices.audio_usd_per_hour) {
    const seconds = Math.round((3 + r() * 300) * 1000) / 1000;
    row.input_tokens = 0;
    row.output_tokens = 0;
    row.audio_seconds = seconds;
    row.audio_seconds_source = 'reported';
    row.raw_usage = { seconds, type: 'duration' };
  } else {
    const input = 200 + Math.floor(r() * 6000);
    const output = m.operation === 'embedding' ? 0 : 20 + Math.floor(r() * 800);
    const cached = m.prices.cached_input_usd_per_mtok && r() < 0.3 ? Math.floor(input * r() * 0.8) : 0;
    row.input_tokens = input;
    row.output_tokens = output;
    row.cached_input_tokens = cached;
    row.raw_usage = {
      prompt_tokens: input,
      completion_tokens: output,
      total_tokens: input + output,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    };
  }
  return row;
}

/** The columns of model_usage that a worker writes, in the order the raw baseline inserts them. */
export const INPUT_COLUMNS = [
  'idempotency_key',
  'occurred_at',
  'instance_id',
  'batch_job_id',
  'message_id',
  'provider',
  'model',
  'operation',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'audio_seconds',
  'audio_seconds_source',
  'raw_usage',
] as const;
