// The normalized usage record: the one shape every layer shares (capture produces it, ingest stores it,
// pricing bills it). Keys are snake_case and equal the columns of omni_costs.model_usage.
//
// Conventions (the same as @pydantic/genai-prices and the README's "usage record" section):
// - totals are inclusive: input_tokens counts cache reads, cache writes and every modality;
//   output_tokens counts reasoning and output audio;
// - the other token keys are subsets of one of the two totals;
// - null means "unknown" (the call was made and billed but the body carried no usage); never store it as 0.
import { z } from 'zod';

/** Largest count the database stores (Postgres `integer`). */
export const MAX_COUNT = 2_147_483_647;

export const PROVIDERS = ['openai', 'groq', 'gemini', 'vertex', 'anthropic'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Spellings accepted for a provider, mapped to its canonical id. */
export const PROVIDER_ALIASES: Record<string, Provider> = {
  openai: 'openai',
  groq: 'groq',
  gemini: 'gemini',
  google: 'gemini',
  'google-gemini': 'gemini',
  'google-gla': 'gemini',
  vertex: 'vertex',
  'google-vertex': 'vertex',
  anthropic: 'anthropic',
};

export const OPERATIONS = [
  'transcription',
  'translation',
  'image_description',
  'video_description',
  'audio_description',
  'document_extraction',
  'chat',
  'embedding',
  'image_generation',
  'other',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const AUDIO_SECONDS_SOURCES = ['reported', 'measured'] as const;

const count = (what: string) =>
  z
    .number({
      error: `${what} must be a whole number of ${what.endsWith('requests') ? 'requests' : 'tokens'}`,
    })
    .int({ error: `${what} must be a whole number` })
    .min(0, { error: `${what} must be >= 0` })
    .max(MAX_COUNT, { error: `${what} must be <= ${MAX_COUNT}` });

/** The §0 keys every extractor must fill (null = unknown). */
export const CORE_USAGE_KEYS = [
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'input_audio_tokens',
  'output_audio_tokens',
  'input_image_tokens',
  'audio_seconds',
  'requests',
] as const;

/** Extra billing dimensions beyond §0. Absent or null = not reported. */
export const EXTRA_USAGE_KEYS = [
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cached_input_audio_tokens',
  'input_video_tokens',
  'input_document_tokens',
  'tool_use_prompt_tokens',
  'web_search_requests',
  'image_count',
  'audio_seconds_source',
] as const;

const tokenKeys = [
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'input_audio_tokens',
  'output_audio_tokens',
  'input_image_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cached_input_audio_tokens',
  'input_video_tokens',
  'input_document_tokens',
  'tool_use_prompt_tokens',
  'web_search_requests',
  'image_count',
] as const;

const shape = Object.fromEntries(tokenKeys.map((k) => [k, count(k).nullable().optional()])) as {
  [K in (typeof tokenKeys)[number]]: z.ZodOptional<z.ZodNullable<z.ZodNumber>>;
};

/** Subset rules: [part, whole]. A part larger than its whole is an impossible record. */
export const SUBSET_RULES: ReadonlyArray<readonly [string, string]> = [
  ['cached_input_tokens', 'input_tokens'],
  ['cache_write_tokens', 'input_tokens'],
  ['input_audio_tokens', 'input_tokens'],
  ['input_image_tokens', 'input_tokens'],
  ['input_video_tokens', 'input_tokens'],
  ['input_document_tokens', 'input_tokens'],
  ['tool_use_prompt_tokens', 'input_tokens'],
  ['reasoning_tokens', 'output_tokens'],
  ['output_audio_tokens', 'output_tokens'],
  ['cache_write_1h_tokens', 'cache_write_tokens'],
  ['cache_write_5m_tokens', 'cache_write_tokens'],
  ['cached_input_audio_tokens', 'cached_input_tokens'],
  ['cached_input_audio_tokens', 'input_audio_tokens'],
];

export const usageRecordSchema = z
  .object({
    ...shape,
    audio_seconds: z
      .number({ error: 'audio_seconds must be a number of seconds' })
      .finite({ error: 'audio_seconds must be finite' })
      .min(0, { error: 'audio_seconds must be >= 0' })
      .max(1e9, { error: 'audio_seconds must be <= 1e9' })
      .nullable()
      .optional(),
    audio_seconds_source: z.enum(AUDIO_SECONDS_SOURCES).nullable().optional(),
    requests: count('requests').default(1),
  })
  .strict()
  .superRefine((u, ctx) => {
    const rec = u as Record<string, number | null | undefined>;
    for (const [part, whole] of SUBSET_RULES) {
      const p = rec[part];
      const w = rec[whole];
      if (p != null && w != null && p > w) {
        ctx.addIssue({
          code: 'custom',
          path: [part],
          message: `${part} (${p}) is a subset of ${whole} and cannot exceed it (${w})`,
        });
      }
    }
    const w5 = rec.cache_write_5m_tokens ?? 0;
    const w1 = rec.cache_write_1h_tokens ?? 0;
    if (rec.cache_write_tokens != null && w5 + w1 > rec.cache_write_tokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['cache_write_5m_tokens'],
        message: `cache_write_5m_tokens + cache_write_1h_tokens (${w5 + w1}) cannot exceed cache_write_tokens (${rec.cache_write_tokens})`,
      });
    }
  });

export type UsageRecord = z.output<typeof usageRecordSchema>;

/** What capture returns for one provider response. */
export interface CapturedUsage {
  provider: Provider;
  /** API flavour, e.g. chat, responses, transcription, embeddings, images, generate_content, messages. */
  api: string;
  /** Model as served (from the body), or as requested when the body does not echo it; null when unknown. */
  model: string | null;
  /** Rate card the provider applied (OpenAI service_tier, Gemini serviceTier/trafficType, Anthropic service_tier). */
  service_tier: string | null;
  usage: UsageRecord;
  /** The provider's raw usage object(s), kept for audit. */
  raw_usage: unknown;
}

export function canonicalProvider(name: string): Provider | undefined {
  const key = name.trim().toLowerCase();
  // Own keys only: '__proto__' or 'constructor' must not resolve to Object.prototype's members.
  return Object.hasOwn(PROVIDER_ALIASES, key) ? PROVIDER_ALIASES[key] : undefined;
}

/** The values of omni_costs.cost_status. */
export const COST_STATUSES = ['priced', 'estimated', 'unpriced', 'not_billed'] as const;
export type CostStatus = (typeof COST_STATUSES)[number];
