// What `omni batch estimate` assumes when our own history cannot tell: the operation a job type performs,
// the model a batch would use, and typical usage per item. Every assumption used is stated in the output.
import { InvalidInputError } from '../db/errors.ts';
import { OPERATIONS, type Operation } from '../usage.ts';

/** Job type -> operation, by the words Omni's media batches use in their type names. */
const TYPE_WORDS: ReadonlyArray<readonly [RegExp, Operation]> = [
  [/transcri|speech|voice/, 'transcription'],
  [/translat/, 'translation'],
  [/video/, 'video_description'],
  [/image|photo|picture|vision/, 'image_description'],
  [/audio/, 'audio_description'],
  [/document|pdf|ocr|extract/, 'document_extraction'],
  [/embed/, 'embedding'],
];

export function operationFor(jobType: string, given?: string): Operation {
  if (given !== undefined) {
    if (!(OPERATIONS as readonly string[]).includes(given)) {
      throw new InvalidInputError('--operation', `must be one of: ${OPERATIONS.join(', ')} (got "${given}")`);
    }
    return given as Operation;
  }
  if ((OPERATIONS as readonly string[]).includes(jobType)) return jobType as Operation;
  const found = TYPE_WORDS.find(([re]) => re.test(jobType.toLowerCase()));
  if (!found) {
    throw new InvalidInputError(
      '--operation',
      `cannot tell what job type "${jobType}" does; give --operation (one of: ${OPERATIONS.join(', ')})`,
    );
  }
  return found[1];
}

/** The model assumed for an operation when neither --model nor history names one. */
export const DEFAULT_MODELS: Record<Operation, { provider: string; model: string }> = {
  transcription: { provider: 'groq', model: 'whisper-large-v3' },
  translation: { provider: 'groq', model: 'whisper-large-v3' },
  image_description: { provider: 'gemini', model: 'gemini-2.5-flash' },
  video_description: { provider: 'gemini', model: 'gemini-2.5-flash' },
  audio_description: { provider: 'gemini', model: 'gemini-2.5-flash' },
  document_extraction: { provider: 'gemini', model: 'gemini-2.5-flash' },
  chat: { provider: 'openai', model: 'gpt-4o-mini' },
  embedding: { provider: 'openai', model: 'text-embedding-3-small' },
  image_generation: { provider: 'openai', model: 'gpt-image-1' },
  other: { provider: 'openai', model: 'gpt-4o-mini' },
};

/** Provider of a model name, for the common families; null when the name does not say. */
export function providerOfModel(model: string): string | null {
  if (/^(gpt-|o\d|whisper-1|text-embedding|dall-e|chatgpt)/.test(model)) return 'openai';
  if (/^(models\/)?gemini/.test(model)) return 'gemini';
  if (/^claude/.test(model)) return 'anthropic';
  if (/^(whisper-large|llama|meta-llama\/|openai\/gpt-oss|distil-whisper|qwen|moonshotai\/)/.test(model))
    return 'groq';
  return null;
}

export interface ItemUsage {
  input_tokens: number;
  output_tokens: number;
  input_audio_tokens: number;
  image_count: number;
  /** Seconds of audio, as a decimal string (it may come from --audio-minutes). */
  audio_seconds: string;
  why: string;
}

/** Typical usage of one item, from the providers' documented token rates. */
export const TYPICAL_ITEM_USAGE: Record<Operation, ItemUsage> = {
  transcription: {
    input_tokens: 600,
    input_audio_tokens: 600,
    output_tokens: 150,
    image_count: 0,
    audio_seconds: '60',
    why: 'a 60 s voice note (about 600 audio tokens and 150 text tokens out where billed by token)',
  },
  translation: {
    input_tokens: 600,
    input_audio_tokens: 600,
    output_tokens: 150,
    image_count: 0,
    audio_seconds: '60',
    why: 'a 60 s voice note',
  },
  image_description: {
    input_tokens: 1300,
    input_audio_tokens: 0,
    output_tokens: 150,
    image_count: 0,
    audio_seconds: '0',
    why: 'one image of about 1,290 tokens plus a short prompt in, 150 tokens of description out',
  },
  video_description: {
    input_tokens: 9000,
    input_audio_tokens: 960,
    output_tokens: 200,
    image_count: 0,
    audio_seconds: '0',
    why: 'a 30 s clip at Gemini’s ~300 tokens per second (960 of them audio), 200 tokens out',
  },
  audio_description: {
    input_tokens: 2000,
    input_audio_tokens: 1920,
    output_tokens: 200,
    image_count: 0,
    audio_seconds: '0',
    why: '60 s of audio at 32 tokens per second, 200 tokens out',
  },
  document_extraction: {
    input_tokens: 3000,
    input_audio_tokens: 0,
    output_tokens: 800,
    image_count: 0,
    audio_seconds: '0',
    why: 'a 3-page document (about 3,000 tokens in), 800 tokens extracted',
  },
  chat: {
    input_tokens: 1000,
    input_audio_tokens: 0,
    output_tokens: 300,
    image_count: 0,
    audio_seconds: '0',
    why: '1,000 tokens in, 300 out',
  },
  embedding: {
    input_tokens: 500,
    input_audio_tokens: 0,
    output_tokens: 0,
    image_count: 0,
    audio_seconds: '0',
    why: '500 tokens embedded',
  },
  image_generation: {
    input_tokens: 100,
    input_audio_tokens: 0,
    output_tokens: 0,
    image_count: 1,
    audio_seconds: '0',
    why: 'one generated image from a 100-token prompt',
  },
  other: {
    input_tokens: 1000,
    input_audio_tokens: 0,
    output_tokens: 300,
    image_count: 0,
    audio_seconds: '0',
    why: '1,000 tokens in, 300 out',
  },
};
