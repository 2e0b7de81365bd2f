import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { measureAudioSeconds, withMeasuredDuration } from '../../src/capture/audio-duration.ts';
import { extractUsage } from '../../src/capture/extract.ts';
import { usageRecordSchema } from '../../src/usage.ts';

/** A valid PCM WAV file of silence: 44-byte RIFF header + zeroed 16-bit samples. */
function silentWav(seconds: number, sampleRate = 8000, channels = 1): Buffer {
  const bytesPerSample = 2;
  const dataSize = Math.round(seconds * sampleRate) * channels * bytesPerSample;
  const b = Buffer.alloc(44 + dataSize);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + dataSize, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16); // fmt chunk size
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * channels * bytesPerSample, 28); // byte rate
  b.writeUInt16LE(channels * bytesPerSample, 32); // block align
  b.writeUInt16LE(bytesPerSample * 8, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(dataSize, 40);
  return b;
}

let dir = '';
let wav = '';

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-capture-'));
  wav = join(dir, 'silence-2.5s.wav');
  await writeFile(wav, silentWav(2.5));
});

test.after.always(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('measureAudioSeconds reads the duration of a WAV file from its headers', async (t) => {
  const seconds = await measureAudioSeconds(wav);
  t.true(Math.abs(seconds - 2.5) < 0.001, `got ${seconds}`);
});

test('measureAudioSeconds rejects a missing file with an error naming it', async (t) => {
  const missing = join(dir, 'nope.wav');
  await t.throwsAsync(measureAudioSeconds(missing), { message: /nope\.wav/ });
});

test('withMeasuredDuration fills an unknown duration from the file and marks it measured', async (t) => {
  const captured = extractUsage('a plain text transcript\n', { model: 'whisper-1' });
  t.is(captured.usage.audio_seconds, null);
  const filled = await withMeasuredDuration(captured, wav);
  t.true(Math.abs((filled.usage.audio_seconds ?? 0) - 2.5) < 0.001);
  t.is(filled.usage.audio_seconds_source, 'measured');
  t.true(usageRecordSchema.safeParse(filled.usage).success);
  t.is(captured.usage.audio_seconds, null, 'the input capture is not mutated');
});

test('withMeasuredDuration keeps a reported duration and does not touch the file', async (t) => {
  const captured = extractUsage({ text: 'hi', usage: { type: 'duration', seconds: 12 } });
  const same = await withMeasuredDuration(captured, join(dir, 'does-not-exist.wav'));
  t.is(same.usage.audio_seconds, 12);
  t.is(same.usage.audio_seconds_source, 'reported');
});

test('withMeasuredDuration leaves calls that are not duration-billed (0 seconds) alone', async (t) => {
  const captured = extractUsage({
    text: 'hi',
    usage: { type: 'tokens', input_tokens: 14, output_tokens: 45 },
  });
  const same = await withMeasuredDuration(captured, join(dir, 'does-not-exist.wav'));
  t.is(same.usage.audio_seconds, 0);
  t.is(same.usage.audio_seconds_source, undefined);
});
