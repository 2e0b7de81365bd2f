// A provider response given as text (a file, stdin): the parsed body capture takes, and its usage.
// Used by `omni usage extract` and `omni usage record --file`.
import { withMeasuredDuration } from '../capture/audio-duration.ts';
import { CaptureError, type ExtractOptions, extractUsage } from '../capture/extract.ts';
import { type CapturedUsage, CORE_USAGE_KEYS, type UsageRecord } from '../usage.ts';
import { sseEvents } from './sse.ts';

/**
 * The body in the form extract takes: a JSON object (a response body or SDK object), a JSON array of
 * stream events, a JSON string, a raw SSE capture (`data: ...` lines) or raw text (whisper text formats).
 */
export function parseBodyText(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '')
    throw new CaptureError('the body is empty: give a response body (JSON, SSE events or text)');
  try {
    return JSON.parse(trimmed) as unknown;
  } catch (error) {
    if (/^(?::|data:|event:|id:|retry:)/.test(trimmed)) {
      return sseEvents(text);
    }
    // Opens like JSON but is not: say so, rather than take it for a transcript.
    if (/^(?:\{|\[\s*[{["\]])/.test(trimmed)) {
      throw new CaptureError(`the body is not valid JSON: ${(error as Error).message}`);
    }
    return text;
  }
}

export interface TextCaptureOptions extends ExtractOptions {
  /** Audio of a duration-billed transcription: measured when the body reports no duration. */
  audioFile?: string;
}

/** Usage of a response given as text; throws CaptureError for bodies it cannot read. */
export async function captureFromText(
  text: string,
  options: TextCaptureOptions = {},
): Promise<CapturedUsage> {
  const { audioFile, ...hints } = options;
  const captured = extractUsage(parseBodyText(text), hints);
  if (!audioFile || captured.api !== 'transcription') return captured;
  try {
    return await withMeasuredDuration(captured, audioFile);
  } catch (error) {
    throw new CaptureError((error as Error).message, 'audioFile');
  }
}

/** The usage record with the §0 keys first, in their documented order, then the extra keys the body reported. */
export function orderedUsage(usage: UsageRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of CORE_USAGE_KEYS) out[k] = usage[k] ?? null;
  for (const [k, v] of Object.entries(usage)) if (!(k in out) && v !== undefined) out[k] = v;
  return out;
}
