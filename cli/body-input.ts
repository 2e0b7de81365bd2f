// The response body a usage command reads: from --file (`-` = stdin), or from stdin when it is piped.
import { readFile } from 'node:fs/promises';
import { Flags } from '@oclif/core';
import { CaptureError } from '../src/capture/extract.ts';
import { InvalidInputError } from '../src/db/errors.ts';

export const bodyFlags = {
  file: Flags.string({
    summary:
      'Read the response body from this file ("-" for stdin): a JSON body, a JSON array of stream events, a JSON string, SSE lines or raw text.',
  }),
  api: Flags.string({
    summary:
      'API flavour of the body: chat, responses, transcription, embeddings, images, generate_content, messages (detected when absent).',
  }),
  'audio-file': Flags.string({
    summary: 'Audio of a duration-billed transcription: its duration is measured when the body reports none.',
  }),
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The body text: the --file contents, else stdin when it is not a terminal and `fromPipe` allows it.
 * Null when there is no body (no --file and nothing piped).
 */
export async function readBody(file: string | undefined, fromPipe: boolean): Promise<string | null> {
  if (file === '-') return readStdin();
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new InvalidInputError('--file', `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (!fromPipe || process.stdin.isTTY) return null;
  const text = await readStdin();
  return text.trim() === '' ? null : text;
}

/** A body capture could not read, as a bad-input error (exit code 2) that names the place. */
export function asInputError(error: unknown): unknown {
  if (!(error instanceof CaptureError)) return error;
  const message = error.message.replaceAll('opts.provider', '--provider').replaceAll('opts.api', '--api');
  return new InvalidInputError('', `cannot read usage from the body: ${message}`, { cause: error });
}
