// Gemini generateContent (Developer API and Vertex AI), as REST bodies, @google/genai SDK objects
// (the REST JSON plus sdkHttpResponse, which is ignored) or streams.
// Traps handled here:
// - candidatesTokenCount EXCLUDES thoughts: output = candidates + thoughts;
// - toolUsePromptTokenCount is NOT in promptTokenCount: input = prompt + toolUse;
// - promptTokensDetails may not sum to promptTokenCount: the count is the authority, details are subsets;
// - stream chunks repeat running totals: take the last usageMetadata, never sum.
import { z } from 'zod';
import type { UsageRecord } from '../usage.ts';
import {
  assertSubset,
  count,
  type Extracted,
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

const optCount = count.nullish();
const details = z
  .array(obj({ modality: z.string().nullish(), tokenCount: optCount }), { error: 'must be an array' })
  .nullish();

const usageMetadata = obj({
  promptTokenCount: optCount,
  cachedContentTokenCount: optCount,
  candidatesTokenCount: optCount,
  thoughtsTokenCount: optCount,
  toolUsePromptTokenCount: optCount,
  totalTokenCount: optCount,
  promptTokensDetails: details,
  cacheTokensDetails: details,
  candidatesTokensDetails: details,
  trafficType: z.string().nullish(),
  serviceTier: z.string().nullish(),
});
type UsageMetadata = z.output<typeof usageMetadata>;
type Details = z.output<typeof details>;

/** Sums one modality's entries (checking each against its total); null when the modality is absent. */
function modality(
  list: Details,
  name: string,
  listPath: string,
  wholePath: string,
  whole: number,
): number | null {
  let total: number | null = null;
  list?.forEach((d, i) => {
    // Python SDK objects may render the enum as 'MediaModality.AUDIO'.
    if (d.modality?.toUpperCase().split('.').pop() !== name || d.tokenCount == null) return;
    assertSubset(`${listPath}[${i}].tokenCount`, d.tokenCount, wholePath, whole);
    total = (total ?? 0) + d.tokenCount;
  });
  return total;
}

function recordFrom(um: UsageMetadata, path: string): UsageRecord {
  // Absent counts are 0: e.g. MAX_TOKENS during thinking gives no candidatesTokenCount.
  const prompt = um.promptTokenCount ?? 0;
  const cached = um.cachedContentTokenCount ?? 0;
  const candidates = um.candidatesTokenCount ?? 0;
  const thoughts = um.thoughtsTokenCount ?? 0;
  const toolUse = um.toolUsePromptTokenCount ?? 0;
  const promptPath = `${path}.promptTokenCount`;
  const cachedPath = `${path}.cachedContentTokenCount`;
  assertSubset(cachedPath, cached, promptPath, prompt);

  const pd = `${path}.promptTokensDetails`;
  const audio = modality(um.promptTokensDetails, 'AUDIO', pd, promptPath, prompt);
  const image = modality(um.promptTokensDetails, 'IMAGE', pd, promptPath, prompt);
  const video = modality(um.promptTokensDetails, 'VIDEO', pd, promptPath, prompt);
  const document = modality(um.promptTokensDetails, 'DOCUMENT', pd, promptPath, prompt);
  // cacheTokensDetails is the cached part of promptTokensDetails, so cached audio is inside input audio.
  const cachedAudio = modality(
    um.cacheTokensDetails,
    'AUDIO',
    `${path}.cacheTokensDetails`,
    cachedPath,
    cached,
  );
  assertSubset(`${path}.cacheTokensDetails[AUDIO]`, cachedAudio, `${pd}[AUDIO]`, audio ?? 0);
  const outPath = `${path}.candidatesTokenCount`;
  const outAudio = modality(
    um.candidatesTokensDetails,
    'AUDIO',
    `${path}.candidatesTokensDetails`,
    outPath,
    candidates,
  );

  const record: UsageRecord = {
    ...zeroRecord(),
    input_tokens: prompt + toolUse,
    output_tokens: candidates + thoughts,
    cached_input_tokens: cached,
    reasoning_tokens: thoughts,
    input_audio_tokens: audio ?? 0,
    output_audio_tokens: outAudio ?? 0,
    input_image_tokens: image ?? 0,
  };
  if (video != null) record.input_video_tokens = video;
  if (document != null) record.input_document_tokens = document;
  if (cachedAudio != null) record.cached_input_audio_tokens = cachedAudio;
  if (um.toolUsePromptTokenCount != null) record.tool_use_prompt_tokens = um.toolUsePromptTokenCount;
  return record;
}

const TRAFFIC_TIERS: Record<string, string> = {
  ON_DEMAND: 'standard',
  ON_DEMAND_PRIORITY: 'priority',
  ON_DEMAND_FLEX: 'flex',
  ON_DEMAND_OFFPEAK: 'offpeak',
  // Covered by the GSU subscription, not billed per token.
  PROVISIONED_THROUGHPUT: 'provisioned',
};

/** Vertex reports trafficType; the Developer API reports serviceTier (standard / flex / priority). */
function googleTier(um: UsageMetadata | null): string | null {
  const traffic = str(um?.trafficType);
  if (traffic) return TRAFFIC_TIERS[traffic.toUpperCase()] ?? traffic.toLowerCase();
  const tier = str(um?.serviceTier);
  return tier ? tier.toLowerCase().replace(/^service_tier_/, '') : null;
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(camelKeys);
  if (!isObject(x)) return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [camel(k), camelKeys(v)]));
}

/** Python google-genai objects dumped to dicts use snake_case; map them onto the REST names. */
function normalize(b: Obj): Obj {
  if (b.usageMetadata !== undefined || b.usage_metadata === undefined) return b;
  return {
    ...b,
    usageMetadata: camelKeys(b.usage_metadata),
    modelVersion: b.modelVersion ?? b.model_version,
  };
}

function fromBody(raw: Obj, path: string, ctx: Ctx): Extracted {
  const b = normalize(raw);
  const model = str(b.modelVersion) ?? ctx.model;
  if (b.usageMetadata == null) {
    return { model, service_tier: null, usage: unknownTokensRecord(), raw_usage: null };
  }
  const um = parseAt(usageMetadata, b.usageMetadata, `${path}usageMetadata`);
  return {
    model,
    service_tier: googleTier(um),
    usage: recordFrom(um, `${path}usageMetadata`),
    raw_usage: b.usageMetadata,
  };
}

export function extractGemini(input: unknown, ctx: Ctx): Extracted {
  if (!Array.isArray(input)) return fromBody(input as Obj, '', ctx);
  const chunks = input.map((c) => (isObject(c) ? normalize(c) : c));
  const model = str(lastWith(chunks, (c) => str(c.modelVersion), 'modelVersion')?.raw) ?? ctx.model;
  // Every chunk repeats running totals: the last chunk with usageMetadata is the whole request.
  const last = lastWith(chunks, (c) => (c.usageMetadata != null ? c : null), '');
  if (!last) return { model, service_tier: null, usage: unknownTokensRecord(), raw_usage: null };
  return { ...fromBody(last.raw as Obj, last.path, ctx), model };
}
