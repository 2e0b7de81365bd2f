import { Flags } from '@oclif/core';
import { InvalidInputError } from '../../../src/db/errors.ts';
import { captureFromText, orderedUsage } from '../../../src/instrument/body-text.ts';
import { OmniCommand } from '../../base.ts';
import { asInputError, bodyFlags, readBody } from '../../body-input.ts';

export default class UsageExtract extends OmniCommand {
  static summary = 'Print the normalized usage record of a provider response body (no database needed).';
  static description =
    'Prints the usage record as JSON: input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, ' +
    'reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens, audio_seconds, requests, then ' +
    'any extra keys the body reported. null means unknown. With --verbose: {provider, api, model, service_tier, ' +
    'usage, raw_usage}.';
  static examples = [
    '<%= config.bin %> <%= command.id %> --file response.json',
    'cat stream-events.json | <%= config.bin %> <%= command.id %> --provider groq',
    '<%= config.bin %> <%= command.id %> --provider openai --model whisper-1 --file transcript.txt --audio-file clip.mp3',
  ];
  static flags = {
    provider: Flags.string({
      summary: 'Provider: openai, groq, gemini, vertex, anthropic (detected when absent).',
    }),
    model: Flags.string({
      summary: 'Model requested, for bodies that do not name it (transcriptions, images).',
    }),
    ...bodyFlags,
    verbose: Flags.boolean({ summary: 'Also print provider, api, model, service_tier and the raw usage.' }),
  };

  async run() {
    const { flags } = await this.parse(UsageExtract);
    const text = await readBody(flags.file, true);
    if (text === null)
      throw new InvalidInputError('--file', 'give a response body with --file, or pipe it on stdin');
    const captured = await captureFromText(text, {
      provider: flags.provider,
      api: flags.api,
      model: flags.model,
      audioFile: flags['audio-file'],
    }).catch((error) => {
      throw asInputError(error);
    });
    const usage = orderedUsage(captured.usage);
    const out = flags.verbose ? { ...captured, usage } : usage;
    if (!this.jsonEnabled()) this.log(JSON.stringify(out, null, 2));
    return out;
  }
}
