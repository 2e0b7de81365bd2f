import { Flags } from '@oclif/core';
import { OmniCommand } from '../../base.ts';
import { recordUsage } from '../../../src/ingest/record-usage.ts';
import { OPERATIONS } from '../../../src/usage.ts';
import { usageFlags, usageFromFlags } from '../../usage-flags.ts';

export default class UsageRecord extends OmniCommand {
  static summary = 'Record one provider call and print it with the cost PostgreSQL computed.';
  static examples = [
    '<%= config.bin %> <%= command.id %> --provider groq --model whisper-large-v3 --instance 6f1c… --operation transcription --audio-seconds 21.69',
    '<%= config.bin %> <%= command.id %> --provider openai --model gpt-4o-mini --instance 6f1c… --input-tokens 1200 --output-tokens 80 --json',
  ];
  static flags = {
    provider: Flags.string({ summary: 'Provider: openai, groq, gemini, vertex, anthropic.', required: true }),
    model: Flags.string({ summary: 'Model as served, e.g. gpt-4o-2024-08-06.', required: true }),
    instance: Flags.string({ summary: 'Instance id (uuid).', required: true }),
    batch: Flags.string({ summary: 'Batch job id (uuid).' }),
    message: Flags.string({ summary: 'Message id.' }),
    operation: Flags.string({ summary: `One of: ${OPERATIONS.join(', ')}.`, default: 'other' }),
    'occurred-at': Flags.string({ summary: 'When the call was made, ISO 8601 with a zone (default: now).' }),
    'idempotency-key': Flags.string({ summary: 'Key of the logical call; a replay with the same key is stored once.' }),
    'service-tier': Flags.string({ summary: 'Rate card the provider applied (standard, flex, batch, priority).' }),
    ...usageFlags,
  };

  async run() {
    const { flags } = await this.parse(UsageRecord);
    const { db } = await this.database();
    const [row] = await recordUsage(db, [
      {
        provider: flags.provider,
        model: flags.model,
        instance_id: flags.instance,
        batch_job_id: flags.batch ?? null,
        message_id: flags.message ?? null,
        operation: flags.operation,
        occurred_at: flags['occurred-at'],
        idempotency_key: flags['idempotency-key'],
        service_tier: flags['service-tier'] ?? null,
        ...usageFromFlags(flags),
      },
    ]);
    this.table([row], ['usage_id', 'provider', 'model', 'operation', 'processing_cost_usd', 'cost_status', 'replayed']);
    if (row.cost_note && !this.jsonEnabled()) this.log(`note: ${row.cost_note}`);
    return row;
  }
}
