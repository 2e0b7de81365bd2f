import { Flags } from '@oclif/core';
import { batchEstimate } from '../../../src/reporting/batch-estimate.ts';
import { resolveBatchId } from '../../../src/reporting/batch-lookup.ts';
import { assertUuid } from '../../../src/reporting/period.ts';
import { saveEstimate } from '../../../src/reporting/save-estimate.ts';
import { OPERATIONS } from '../../../src/usage.ts';
import { OmniCommand } from '../../base.ts';
import { renderEstimate } from '../../render/estimate-text.ts';

export default class BatchEstimate extends OmniCommand {
  static summary =
    'Estimate a batch before running it, from our own history or, without history, from list prices.';
  static examples = [
    '<%= config.bin %> <%= command.id %> --instance 6f1c… --type media_transcription --items 200',
    '<%= config.bin %> <%= command.id %> --instance 6f1c… --type media_transcription --items 200 --audio-minutes 340 --model whisper-large-v3',
    '<%= config.bin %> <%= command.id %> --instance 6f1c… --type image_description --items 50 --batch 1f2e3d4c',
  ];
  static flags = {
    instance: Flags.string({ summary: 'Instance id (uuid) whose history to use.', required: true }),
    type: Flags.string({ summary: 'Job type, e.g. media_transcription, image_description.', required: true }),
    items: Flags.integer({ summary: 'Number of items the batch will process.', required: true, min: 1 }),
    model: Flags.string({ summary: 'Model the batch will use (default: the one used most in history).' }),
    provider: Flags.string({ summary: 'Provider of --model, when its name does not say.' }),
    operation: Flags.string({
      summary: `Operation per item, when the job type does not say: ${OPERATIONS.join(', ')}.`,
    }),
    'audio-minutes': Flags.string({ summary: 'Total minutes of audio in the batch (priced at list price).' }),
    batch: Flags.string({
      summary: 'Store the estimate on this batch (id or prefix), to compare with the actual.',
    }),
  };

  async run() {
    const { flags } = await this.parse(BatchEstimate);
    assertUuid('--instance', flags.instance);
    const { db } = await this.database();
    const estimate = await batchEstimate(db, {
      instanceId: flags.instance,
      jobType: flags.type,
      items: flags.items,
      operation: flags.operation,
      provider: flags.provider,
      model: flags.model,
      audioMinutes: flags['audio-minutes'],
    });
    let stored: string | null = null;
    if (flags.batch && estimate.total_usd.mid !== null) {
      stored = await resolveBatchId(db, flags.batch);
      await saveEstimate(db, stored, estimate.total_usd.mid);
    }
    const result = { ...estimate, stored_on_batch: stored };
    this.log(renderEstimate(result));
    return result;
  }
}
