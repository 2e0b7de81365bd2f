// Duration-billed transcription whose body reports no duration (text/srt/vtt formats, Groq json)
// must be billed on the audio file itself. music-metadata reads the duration from the container
// headers without decoding, so this is cheap even for long files.
import { parseFile } from 'music-metadata';
import type { CapturedUsage } from '../usage.ts';

/** Duration of an audio file in seconds, read from its headers. */
export async function measureAudioSeconds(filePath: string): Promise<number> {
  let duration: number | undefined;
  try {
    // `duration: true` lets the parser scan the file when the headers alone do not state it (e.g. VBR MP3).
    duration = (await parseFile(filePath, { duration: true })).format.duration;
  } catch (cause) {
    throw new Error(`cannot read audio file ${filePath}: ${(cause as Error).message}`, { cause });
  }
  if (duration === undefined || !Number.isFinite(duration) || duration < 0) {
    throw new Error(`cannot measure the duration of ${filePath}: the file does not state it`);
  }
  return duration;
}

/**
 * Fills in audio_seconds from the file when the body left it unknown (null), and marks it 'measured'.
 * A reported duration, or a call that is not duration-billed (0), is left untouched.
 */
export async function withMeasuredDuration(
  captured: CapturedUsage,
  filePath: string,
): Promise<CapturedUsage> {
  if (captured.usage.audio_seconds !== null) return captured;
  const seconds = await measureAudioSeconds(filePath);
  return {
    ...captured,
    usage: { ...captured.usage, audio_seconds: seconds, audio_seconds_source: 'measured' },
  };
}
