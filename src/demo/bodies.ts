// Provider response bodies replayed by `omni demo`. Copied from the shared provider fixtures (recorded or
// reconstructed bodies; long arrays shortened) so the demo needs nothing outside the package at run time.
// variants() below only changes the numbers a real batch would vary: audio length and output length.

/** Groq Whisper, response_format=verbose_json: billed by `duration` (seconds), 10 s minimum. */
export const groqWhisperVerbose = {
  task: 'transcribe',
  language: 'English',
  duration: 21.69,
  text: ' On October 5, 1962, the world was forever changed as the Beatles released their debut single in the UK. This marked the start of their legendary musical journey.',
  segments: [
    {
      id: 0,
      seek: 0,
      start: 0,
      end: 8.14,
      text: ' On October 5, 1962, the world was forever changed as the Beatles released their debut single in the UK.',
      tokens: [50365, 1282, 7617, 1025, 11, 39498],
      temperature: 0,
      avg_logprob: -0.29121363,
      compression_ratio: 1.4727273,
      no_speech_prob: 0.00016069,
    },
  ],
  x_groq: { id: 'req_01jrdemo0000000000000000' },
};

/** Gemini 2.0 Flash generateContent with one image: the IMAGE modality is part of promptTokenCount. */
export const geminiFlashImage = {
  candidates: [
    {
      content: { parts: [{ text: 'The fruit in the image is a kiwi.' }], role: 'model' },
      finishReason: 'STOP',
      avgLogprobs: -0.0811,
    },
  ],
  usageMetadata: {
    promptTokenCount: 3367,
    candidatesTokenCount: 9,
    totalTokenCount: 3376,
    promptTokensDetails: [
      { modality: 'IMAGE', tokenCount: 3354 },
      { modality: 'TEXT', tokenCount: 13 },
    ],
    candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }],
  },
  modelVersion: 'gemini-2.0-flash',
  responseId: 'Xk2saKq0B4yq1MkP-oLN2Ak',
};

/** OpenAI chat.completions describing an image with gpt-4o-mini (images tokenize large on mini). */
export const openaiMiniImage = {
  id: 'chatcmpl-CKq3v8YpQ2mLx1c9Zb7TfE0aRk4Ws',
  object: 'chat.completion',
  created: 1759312044,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content:
          'A golden retriever lies on a wooden dock at sunset; behind it a calm lake reflects orange clouds.',
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 25525,
    completion_tokens: 142,
    total_tokens: 25667,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_560af6e559',
};

/** Gemini 2.5 Flash describing a video, with an implicit cache hit and thinking tokens. */
export const geminiFlashVideo = {
  candidates: [
    {
      content: { parts: [{ text: 'A drone shot pans over a coastline; waves are audible.' }], role: 'model' },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 3297,
    candidatesTokenCount: 55,
    totalTokenCount: 3447,
    cachedContentTokenCount: 2918,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: 83 },
      { modality: 'VIDEO', tokenCount: 2893 },
      { modality: 'AUDIO', tokenCount: 321 },
    ],
    cacheTokensDetails: [
      { modality: 'AUDIO', tokenCount: 284 },
      { modality: 'TEXT', tokenCount: 73 },
      { modality: 'VIDEO', tokenCount: 2561 },
    ],
    thoughtsTokenCount: 95,
  },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'ZfPtaNmDNpGm1MkP2ZXPsAs',
};

/** Gemini 429: an error envelope, not billed (recorded with requests = 0). */
export const geminiQuotaError = {
  error: {
    code: 429,
    message: 'You exceeded your current quota, please check your plan and billing details.',
    status: 'RESOURCE_EXHAUSTED',
  },
};

/** A deep copy of a body with the varying numbers changed, so the replayed batch is not 24 equal calls. */
export function variant<T>(body: T, change: (copy: T) => void): T {
  const copy = structuredClone(body);
  change(copy);
  return copy;
}
