import { Flags } from '@oclif/core';
import { InvalidInputError } from '../../../src/db/errors.ts';
import { recordUsage } from '../../../src/ingest/record-usage.ts';
import type { UsageRowInput } from '../../../src/ingest/usage-row.ts';
import { captureFromText } from '../../../src/instrument/body-text.ts';
import { usageRow } from '../../../src/instrument/rows.ts';
import { OPERATIONS, type Operation } from '../../../src/usage.ts';
import { OmniCommand } from '../../base.ts';
import { asInputError, bodyFlags, readBody } from '../../body-input.ts';
import { usageFlags, usageFromFlags } from '../../usage-flags.ts';

export default class UsageRecord extends OmniCommand {
  static summary = 'Record one provider call and print it with the cost PostgreSQL computed.';
  static description =
    'The usage comes from the usage flags, or from the response body itself (--file, or piped on stdin when no ' +
    'usage flag is given): it is extracted as `omni usage extract` does, and --provider, --model and --operation ' +
    'may then be left out when the body tells them.';
  static examples = [
    '<%= config.bin %> <%= command.id %> --provider groq --model whisper-large-v3 --instance 6f1c… --operation transcription --audio-seconds 21.69',
    '<%= config.bin %> <%= command.id %> --provider openai --model gpt-4o-mini --instance 6f1c… --input-tokens 1200 --output-tokens 80 --json',
    '<%= config.bin %> <%= command.id %> --instance 6f1c… --operation image_description --file gemini-response.json',
  ];
  static flags = {
    provider: Flags.string({
      summary: 'Provider: openai, groq, gemini, vertex, anthropic (optional with a body).',
    }),
    model: Flags.string({
      summary: 'Model as served, e.g. gpt-4o-2024-08-06 (optional when the body names it).',
    }),
    instance: Flags.string({ summary: 'Instance id (uuid).', required: true }),
    batch: Flags.string({ summary: 'Batch job id (uuid).' }),
    message: Flags.string({ summary: 'Message id.' }),
    operation: Flags.string({
      summary: `One of: ${OPERATIONS.join(', ')} (default: other; with a body, from its API).`,
    }),
    'occurred-at': Flags.string({ summary: 'When the call was made, ISO 8601 with a zone (default: now).' }),
    'idempotency-key': Flags.string({
      summary: 'Key of the logical call; a replay with the same key is stored once.',
    }),
    'service-tier': Flags.string({
      summary: 'Rate card the provider applied (standard, flex, batch, priority).',
    }),
    ...bodyFlags,
    ...usageFlags,
  };

  async run() {
    const { flags } = await this.parse(UsageRecord);
    const usageGiven = Object.keys(usageFlags).some(
      (f) => (flags as Record<string, unknown>)[f] !== undefined,
    );
    const body = await readBody(flags.file, !usageGiven);
    const context = {
      instance_id: flags.instance,
      batch_job_id: flags.batch ?? null,
      message_id: flags.message ?? null,
      operation: flags.operation as Operation | undefined,
    };
    let row: UsageRowInput;
    if (body === null) {
      if (!flags.provider)
        throw new InvalidInputError(
          '--provider',
          'is required (or give the response body with --file or on stdin)',
        );
      if (!flags.model)
        throw new InvalidInputError(
          '--model',
          'is required (or give the response body with --file or on stdin)',
        );
      row = {
        ...context,
        provider: flags.provider,
        model: flags.model,
        occurred_at: flags['occurred-at'],
        idempotency_key: flags['idempotency-key'],
        service_tier: flags['service-tier'] ?? null,
        ...usageFromFlags(flags),
      };
    } else {
      if (usageGiven)
        throw new InvalidInputError(
          '--file',
          'give the usage either as flags or as a response body, not both',
        );
      const captured = await captureFromText(body, {
        provider: flags.provider,
        api: flags.api,
        model: flags.model,
        audioFile: flags['audio-file'],
      }).catch((error) => {
        throw asInputError(error);
      });
      if (!captured.model)
        throw new InvalidInputError('--model', 'is required: the body does not name the model');
      row = usageRow(captured, context, {
        idempotency_key: flags['idempotency-key'],
        occurred_at: flags['occurred-at'],
      });
      if (flags['service-tier']) row.service_tier = flags['service-tier'];
    }
    const [recorded] = await recordUsage((await this.database()).db, [row]);
    this.table(
      [recorded],
      ['usage_id', 'provider', 'model', 'operation', 'processing_cost_usd', 'cost_status', 'replayed'],
    );
    if (recorded.cost_note && !this.jsonEnabled()) this.log(`note: ${recorded.cost_note}`);
    return recorded;
  }
}
