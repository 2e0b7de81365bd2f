// The media batch `omni demo` replays: what one night of Omni's media processing looks like for one
// instance. Voice notes are transcribed, photos and videos described; one photo hits a quota error (not
// billed, counted as a failed item) and one PDF goes to an experimental model the registry has no price for, so
// the report's warning line has something to show.
import {
  geminiFlashImage,
  geminiFlashVideo,
  geminiQuotaError,
  groqWhisperVerbose,
  openaiMiniImage,
  variant,
} from './bodies.ts';

export interface DemoCall {
  /** Message the item belongs to (one item = one message). */
  item: number;
  provider: string;
  api: string;
  model: string;
  operation: 'transcription' | 'image_description' | 'video_description' | 'document_extraction';
  body: unknown;
  /** The provider answered with an error: the item failed. */
  failed?: boolean;
}

/** An experimental model (free while experimental): no price, no fallback rule, so its call stays unpriced. */
export const UNPRICED_DEMO_MODEL = 'gemini-exp-1206';

/** Audio lengths of the voice notes, seconds: short notes pay Groq's 10 s minimum. */
const VOICE_NOTES = [21.69, 4.2, 63.5, 12.05, 8.9, 145.3, 37.75, 2.4, 29.1, 91.6];
/** Output lengths of the photo descriptions, tokens. */
const PHOTOS = [9, 31, 18, 44, 12, 27];
const VIDEOS = [55, 71, 38, 90];

export function demoCalls(): DemoCall[] {
  const calls: DemoCall[] = [];
  let item = 0;
  for (const seconds of VOICE_NOTES) {
    calls.push({
      item: item++,
      provider: 'groq',
      api: 'audio.transcriptions',
      model: 'whisper-large-v3',
      operation: 'transcription',
      body: variant(groqWhisperVerbose, (b) => {
        b.duration = seconds;
      }),
    });
  }
  for (const out of PHOTOS) {
    calls.push({
      item: item++,
      provider: 'gemini',
      api: 'generate_content',
      model: 'gemini-2.0-flash',
      operation: 'image_description',
      body: variant(geminiFlashImage, (b) => {
        b.usageMetadata.candidatesTokenCount = out;
        b.usageMetadata.candidatesTokensDetails[0].tokenCount = out;
        b.usageMetadata.totalTokenCount = b.usageMetadata.promptTokenCount + out;
      }),
    });
  }
  for (const out of [142, 96]) {
    calls.push({
      item: item++,
      provider: 'openai',
      api: 'chat.completions',
      model: 'gpt-4o-mini',
      operation: 'image_description',
      body: variant(openaiMiniImage, (b) => {
        b.usage.completion_tokens = out;
        b.usage.total_tokens = b.usage.prompt_tokens + out;
      }),
    });
  }
  for (const out of VIDEOS) {
    calls.push({
      item: item++,
      provider: 'gemini',
      api: 'generate_content',
      model: 'gemini-2.5-flash',
      operation: 'video_description',
      body: variant(geminiFlashVideo, (b) => {
        b.usageMetadata.candidatesTokenCount = out;
        b.usageMetadata.totalTokenCount =
          b.usageMetadata.promptTokenCount + out + b.usageMetadata.thoughtsTokenCount;
      }),
    });
  }
  calls.push({
    item: item++,
    provider: 'gemini',
    api: 'generate_content',
    model: 'gemini-2.5-flash',
    operation: 'image_description',
    body: geminiQuotaError,
    failed: true,
  });
  // A PDF sent to an experimental model: the registry has no price and no fallback rule for it.
  calls.push({
    item: item++,
    provider: 'gemini',
    api: 'generate_content',
    model: UNPRICED_DEMO_MODEL,
    operation: 'document_extraction',
    body: variant(geminiFlashImage, (b) => {
      b.candidates[0].content.parts[0].text =
        'Invoice 2026-114: 3 line items, total EUR 1,240.00, due 15 January.';
      b.usageMetadata = {
        promptTokenCount: 2600,
        candidatesTokenCount: 420,
        totalTokenCount: 3020,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2600 }],
        candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 420 }],
      };
      b.modelVersion = UNPRICED_DEMO_MODEL;
    }),
  });
  return calls;
}
