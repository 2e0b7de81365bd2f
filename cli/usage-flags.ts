// The usage buckets as CLI flags (--input-tokens, --audio-seconds, ...), shared by the commands that take usage.
import { Flags } from '@oclif/core';
import { InvalidInputError } from '../src/db/errors.ts';

const COUNT_FLAGS = [
  'input-tokens',
  'output-tokens',
  'cached-input-tokens',
  'cache-write-tokens',
  'cache-write-5m-tokens',
  'cache-write-1h-tokens',
  'reasoning-tokens',
  'input-audio-tokens',
  'cached-input-audio-tokens',
  'output-audio-tokens',
  'input-image-tokens',
  'input-video-tokens',
  'input-document-tokens',
  'tool-use-prompt-tokens',
  'web-search-requests',
  'image-count',
  'requests',
] as const;

/** A strict decimal parser: the flag value must be a plain number; the error names the flag. */
function strictNumber(flag: string, integer: boolean) {
  return async (input: string) => {
    const ok = integer ? /^\d+$/.test(input) : /^\d+(\.\d+)?$/.test(input);
    const n = Number(input);
    if (!ok || !Number.isFinite(n)) {
      throw new InvalidInputError(
        `--${flag}`,
        `must be a ${integer ? 'whole number' : 'number'} >= 0 (got "${input}")`,
      );
    }
    if (integer && n > 2_147_483_647)
      throw new InvalidInputError(`--${flag}`, `must be <= 2147483647 (got ${input})`);
    return n;
  };
}

export const usageFlags = {
  ...Object.fromEntries(
    COUNT_FLAGS.map((f) => [
      f,
      Flags.custom<number>({
        summary: `${f.replaceAll('-', ' ')} (a count).`,
        parse: strictNumber(f, true),
      })(),
    ]),
  ),
  'audio-seconds': Flags.custom<number>({
    summary: 'Audio duration in seconds (duration-billed models).',
    parse: strictNumber('audio-seconds', false),
  })(),
} as Record<
  (typeof COUNT_FLAGS)[number] | 'audio-seconds',
  ReturnType<ReturnType<typeof Flags.custom<number>>>
>;

/** The usage buckets given as flags, as usage-record keys; unknown buckets stay null. */
export function usageFromFlags(flags: Record<string, unknown>): Record<string, number | null | string> {
  const out: Record<string, number | null | string> = {
    input_tokens: null,
    output_tokens: null,
    audio_seconds: null,
  };
  for (const f of [...COUNT_FLAGS, 'audio-seconds']) {
    const v = flags[f];
    if (typeof v === 'number') out[f.replaceAll('-', '_')] = v;
  }
  if (typeof out.audio_seconds === 'number') out.audio_seconds_source = 'reported';
  return out;
}
